package io.waticamel;

import java.util.Map;

/** get_media and the files API on the embedded H2 database. */
class MediaArchiveH2Test extends MediaArchiveContract {

    @Override
    Map<String, String> database() {
        return Map.of();
    }
}
