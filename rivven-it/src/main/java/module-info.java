/** Cross-module tests; the module holds no main code, only its tests (patched in by Surefire). */
open module io.rivven.it {
    requires io.rivven.core;
    requires java.compiler; // the plugin-folder tests compile small plugins

    uses io.rivven.api.codec.CodecProvider;
}
