package io.rivven.api.index;

import io.rivven.api.Stable;
import java.nio.ByteBuffer;

/** An index that can rule segments out of a key lookup (a Bloom filter, say). */
@Stable
public interface KeyLookup {

    /**
     * False only if no record in the segment has this key; true means "maybe". Does not change
     * {@code key}'s position.
     */
    boolean mightContain(ByteBuffer key);
}
