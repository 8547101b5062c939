package io.rivven.api.io;

import io.rivven.api.Stable;

/**
 * What one {@link IoBackend#execute} did.
 *
 * @param totalOps     operations executed
 * @param writeOps     writes and appends
 * @param readOps      reads
 * @param syncOps      syncs
 * @param bytesWritten bytes written
 * @param bytesRead    bytes read (short reads at end of file count what was read)
 */
@Stable
public record BatchStats(int totalOps, int writeOps, int readOps, int syncOps, long bytesWritten, long bytesRead) {
}
