import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Builds the base of the container image with no Docker daemon and no registry: a {@code jlink}ed
 * Java runtime, the C libraries it links against (copied from this machine), a non-root user, and
 * the folders the runtime writes, owned by that user. Written as a one-layer image in the format of
 * {@code docker save}; the Jib Maven plugin adds the application layers on top of it
 * ({@code from.image = tar://...}). Jib's own files can only belong to root, so everything that
 * must belong to the runtime's user is made here.
 *
 * <p>Run by the pom (exec-maven-plugin, pre-integration-test phase, before Jib) with the JDK that
 * builds: {@code java src/image/BaseImage.java <output folder> <modules> <jlink cache folder>}.
 * Everything is written in a fixed order with fixed times, so the same JDK and libraries give the
 * same layer, byte for byte (and Jib reuses its compressed copy).
 */
public final class BaseImage {

    /** The runtime's user and group (the "nonroot" id of distroless images): never root. */
    static final int UID = 65532;
    static final String USER = "wati";
    static final String JAVA_HOME = "opt/java/openjdk";
    /** File times in the layer: one second after the epoch, as Jib writes its own layers. */
    static final long MTIME = 1;

    record Entry(char type, int mode, int uid, Path source, byte[] content, String linkTarget) {
        static Entry dir(int mode, int uid) {
            return new Entry('5', mode, uid, null, null, null);
        }

        static Entry file(int mode, byte[] content) {
            return new Entry('0', mode, 0, null, content, null);
        }

        static Entry copy(int mode, Path source) {
            return new Entry('0', mode, 0, source, null, null);
        }

        static Entry link(String target) {
            return new Entry('2', 0777, 0, null, null, target);
        }
    }

    /** Path in the image without the leading slash ("etc/passwd") to what is there; sorted, so the layer is reproducible. */
    final Map<String, Entry> entries = new TreeMap<>();

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            throw new IllegalArgumentException("usage: java BaseImage.java <output folder> <module,module,...> <jlink cache folder>");
        }
        long start = System.nanoTime();
        Path out = Files.createDirectories(Path.of(args[0]).toAbsolutePath());
        Path jre = jlink(Path.of(args[2]).toAbsolutePath(), args[1]);
        BaseImage image = new BaseImage();
        image.addRuntime(jre);
        image.addSystemFiles();
        Path tar = image.write(out);
        System.out.printf("Base image %s: %d entries, %.1f MB, %.1f s%n", tar, image.entries.size(), Files.size(tar) / 1e6,
                (System.nanoTime() - start) / 1e9);
    }

    /**
     * The Java runtime with only the modules the runtime needs, made with the JDK that runs this
     * (the build's). jlink takes most of the image build's time and gives the same files for the same
     * JDK and modules, so its output is kept in {@code cache} (like Jib's own layer cache, outside
     * the project, so a fresh clone on the same machine reuses it) under a name made from the JDK's
     * version and home and the module list: another JDK or list makes another runtime.
     */
    static Path jlink(Path cache, String modules) throws Exception {
        String key = Runtime.version() + " " + System.getProperty("java.home") + " " + modules;
        String id = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text(key))).substring(0, 16);
        Path jre = cache.resolve("jre-" + id);
        if (Files.isExecutable(jre.resolve("bin/java"))) {
            System.out.println("jlink: reusing " + jre + " (" + key + ")");
            return jre;
        }
        Files.createDirectories(cache);
        Path jlink = Path.of(System.getProperty("java.home"), "bin", "jlink");
        if (!Files.isExecutable(jlink)) {
            throw new IllegalStateException(jlink + " not found: build with a full JDK 25 (JAVA_HOME), not a runtime");
        }
        // made beside its final name and moved there whole, so a build running at the same time never
        // sees half a runtime
        Path partial = Files.createTempDirectory(cache, "partial-");
        Files.delete(partial);
        // No --compress: the modules file stays plain, so the layer's gzip shrinks it (33 MB against
        // 41 MB for a zip-compressed one) and classes load without inflating.
        // java.desktop is in only for java.beans (Log4j's LoggerContext): its X11, sound and splash screen
        // libraries would need X11 and ALSA libraries in the image and are never loaded by a headless server.
        // jlink runs in a process of its own: run inside this one, the method handle classes it pre-generates
        // came out differently depending on what this JVM had run before, and the layer was not reproducible.
        List<String> command = List.of(jlink.toString(), "--add-modules", modules, "--strip-debug", "--no-man-pages",
                "--no-header-files", "--exclude-files=**/libawt_xawt.so,**/libjawt.so,**/libsplashscreen.so,**/libjsound.so",
                "--output", partial.toString());
        long start = System.nanoTime();
        int exit = new ProcessBuilder(command).inheritIO().start().waitFor();
        if (exit != 0) {
            deleteTree(partial);
            throw new IllegalStateException("jlink failed (" + exit + "): " + String.join(" ", command));
        }
        try {
            Files.move(partial, jre, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (java.nio.file.FileAlreadyExistsException | java.nio.file.DirectoryNotEmptyException madeMeanwhile) {
            deleteTree(partial);
        }
        System.out.printf("jlink: %s in %.1f s (%s)%n", jre, (System.nanoTime() - start) / 1e9, key);
        return jre;
    }

    /** The jlinked runtime under /opt/java/openjdk, and every C library its programs and libraries link against. */
    void addRuntime(Path jre) throws IOException {
        List<Path> elfFiles = new ArrayList<>();
        try (Stream<Path> files = Files.walk(jre)) {
            for (Path path : files.sorted().toList()) {
                String name = JAVA_HOME + (path.equals(jre) ? "" : "/" + jre.relativize(path));
                if (Files.isSymbolicLink(path)) {
                    entries.put(name, Entry.link(Files.readSymbolicLink(path).toString()));
                } else if (Files.isDirectory(path)) {
                    entries.put(name, Entry.dir(0755, 0));
                } else {
                    entries.put(name, Entry.copy(mode(path), path));
                    if (isElf(path)) {
                        elfFiles.add(path);
                    }
                }
            }
        }
        addParents(JAVA_HOME);
        for (Path library : linkedLibraries(jre, elfFiles)) {
            addHostPath(library);
        }
    }

    /**
     * The libraries outside the runtime that {@code ldd} names for its programs and libraries (the
     * C library, the loader, libm, libz...). A name ldd cannot find is a library of the runtime
     * itself that the JVM has already loaded when it is needed (libjvm.so); anything else is an error.
     */
    static List<Path> linkedLibraries(Path jre, List<Path> elfFiles) throws IOException {
        List<String> command = new ArrayList<>(List.of("ldd"));
        elfFiles.forEach(f -> command.add(f.toString()));
        Process ldd = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(ldd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            ldd.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        List<String> runtimeLibraries;
        try (Stream<Path> files = Files.walk(jre)) {
            runtimeLibraries = files.map(p -> p.getFileName().toString()).toList();
        }
        List<Path> libraries = new ArrayList<>();
        for (String line : output.lines().map(String::strip).toList()) {
            if (line.contains("=> not found")) {
                String name = line.substring(0, line.indexOf(' '));
                if (!runtimeLibraries.contains(name)) {
                    throw new IllegalStateException("a library the Java runtime needs is not on this machine: " + line);
                }
            } else if (line.contains("=> /")) {
                libraries.add(Path.of(line.substring(line.indexOf("=> ") + 3, line.lastIndexOf(" ("))));
            } else if (line.startsWith("/") && line.contains(" (0x")) {
                libraries.add(Path.of(line.substring(0, line.indexOf(" (0x")))); // the program loader
            }
        }
        return libraries.stream().map(Path::normalize).filter(p -> !p.startsWith(jre)).distinct().sorted().toList();
    }

    /**
     * A file of this machine at the same path in the image, each symbolic link on the way kept as
     * a link (so /lib64/ld-linux-x86-64.so.2, which programs name, still leads to the loader, and on
     * a merged /usr the /lib link to usr/lib is kept): nothing in the image is written through a link.
     */
    void addHostPath(Path path) throws IOException {
        Path current = Path.of("/");
        List<Path> names = new ArrayList<>();
        path.forEach(names::add);
        for (int i = 0; i < names.size(); i++) {
            current = current.resolve(names.get(i));
            String name = current.toString().substring(1);
            if (Files.isSymbolicLink(current)) {
                Path target = Files.readSymbolicLink(current);
                entries.put(name, Entry.link(target.toString()));
                Path rest = current.getParent().resolve(target);
                for (int j = i + 1; j < names.size(); j++) {
                    rest = rest.resolve(names.get(j));
                }
                addHostPath(rest.normalize());
                return;
            }
            if (Files.isDirectory(current, LinkOption.NOFOLLOW_LINKS)) {
                entries.putIfAbsent(name, Entry.dir(0755, 0));
            } else {
                entries.put(name, Entry.copy(mode(current), current));
            }
        }
    }

    /**
     * What a program expects of a Linux system and the runtime of its user: the user in
     * /etc/passwd (Java reads its home from there), name lookups from /etc/hosts then DNS (container
     * engines mount their own /etc/hosts and /etc/resolv.conf), /tmp for everyone, and the working
     * folder /app with data/ (owner-only, as the runtime makes it) and routes/ owned by the user, so
     * a named volume mounted there starts out theirs.
     */
    void addSystemFiles() {
        entries.put("etc", Entry.dir(0755, 0));
        entries.put("etc/passwd", Entry.file(0644, text("root:x:0:0:root:/root:/sbin/nologin\n"
                + USER + ":x:" + UID + ":" + UID + ":wati-camel:/home/" + USER + ":/sbin/nologin\n")));
        entries.put("etc/group", Entry.file(0644, text("root:x:0:\n" + USER + ":x:" + UID + ":\n")));
        entries.put("etc/nsswitch.conf", Entry.file(0644, text("passwd: files\ngroup: files\nhosts: files dns\n")));
        entries.put("etc/hosts", Entry.file(0644, text("127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n")));
        entries.put("root", Entry.dir(0700, 0));
        entries.put("home", Entry.dir(0755, 0));
        entries.put("home/" + USER, Entry.dir(0700, UID));
        entries.put("tmp", Entry.dir(01777, 0));
        entries.put("app", Entry.dir(0755, 0));
        entries.put("app/data", Entry.dir(0700, UID));
        entries.put("app/routes", Entry.dir(0755, UID));
    }

    void addParents(String name) {
        for (int slash = name.indexOf('/'); slash > 0; slash = name.indexOf('/', slash + 1)) {
            entries.putIfAbsent(name.substring(0, slash), Entry.dir(0755, 0));
        }
    }

    /**
     * {@code <out>/base.tar}: manifest.json, the image configuration and the layer, as
     * {@code docker save} writes them (what Jib reads from a tar:// base). The configuration puts
     * the runtime's java on the PATH and sets a UTF-8 locale (glibc's built-in C.UTF-8), so file
     * names with accents are not mangled.
     */
    Path write(Path out) throws Exception {
        Path layer = out.resolve("layer.tar");
        MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
        try (OutputStream file = new DigestOutputStream(new java.io.BufferedOutputStream(Files.newOutputStream(layer), 1 << 16), sha256)) {
            Tar tar = new Tar(file);
            for (Map.Entry<String, Entry> e : entries.entrySet()) {
                Entry entry = e.getValue();
                String name = entry.type() == '5' ? e.getKey() + "/" : e.getKey();
                if (entry.type() == '0') {
                    long size = entry.source() != null ? Files.size(entry.source()) : entry.content().length;
                    tar.header(name, entry.type(), entry.mode(), entry.uid(), size, null);
                    try (InputStream in = entry.source() != null ? Files.newInputStream(entry.source())
                            : new java.io.ByteArrayInputStream(entry.content())) {
                        tar.data(in, size);
                    }
                } else {
                    tar.header(name, entry.type(), entry.mode(), entry.uid(), 0, entry.linkTarget());
                }
            }
            tar.finish();
        }
        String diffId = "sha256:" + HexFormat.of().formatHex(sha256.digest());
        String config = """
                {"architecture":"amd64","os":"linux","created":"1970-01-01T00:00:00Z",\
                "config":{"Env":["PATH=/%s/bin:/usr/bin:/bin","JAVA_HOME=/%s","LANG=C.UTF-8"]},\
                "rootfs":{"type":"layers","diff_ids":["%s"]},\
                "history":[{"created":"1970-01-01T00:00:00Z","created_by":"src/image/BaseImage.java: jlinked Java %s, C libraries, user %s (%d)"}]}"""
                .formatted(JAVA_HOME, JAVA_HOME, diffId, Runtime.version(), USER, UID);
        String manifest = "[{\"Config\":\"config.json\",\"RepoTags\":[\"wati-camel-base:local\"],\"Layers\":[\"layer.tar\"]}]";
        Path image = out.resolve("base.tar");
        try (OutputStream file = new java.io.BufferedOutputStream(Files.newOutputStream(image), 1 << 16)) {
            Tar tar = new Tar(file);
            for (var member : List.of(Map.entry("manifest.json", text(manifest)), Map.entry("config.json", text(config)))) {
                tar.header(member.getKey(), '0', 0644, 0, member.getValue().length, null);
                tar.data(new java.io.ByteArrayInputStream(member.getValue()), member.getValue().length);
            }
            tar.header("layer.tar", '0', 0644, 0, Files.size(layer), null);
            try (InputStream in = Files.newInputStream(layer)) {
                tar.data(in, Files.size(layer));
            }
            tar.finish();
        }
        Files.delete(layer);
        return image;
    }

    /** A ustar writer: enough for a layer (numeric owners, fixed times, names split into prefix and name when long). */
    static final class Tar {
        private final OutputStream out;

        Tar(OutputStream out) {
            this.out = out;
        }

        void header(String name, char type, int mode, int uid, long size, String linkTarget) throws IOException {
            byte[] header = new byte[512];
            String prefix = "";
            if (name.getBytes(StandardCharsets.UTF_8).length > 100) {
                // ustar keeps a long name as prefix (up to 155 bytes) + '/' + name (up to 100)
                int split = -1;
                for (int slash = name.indexOf('/'); slash >= 0 && split < 0; slash = name.indexOf('/', slash + 1)) {
                    if (slash <= 155 && name.length() - slash - 1 <= 100) {
                        split = slash;
                    }
                }
                if (split <= 0) {
                    throw new IllegalArgumentException("name too long for a ustar layer: " + name);
                }
                prefix = name.substring(0, split);
                name = name.substring(split + 1);
            }
            put(header, 0, 100, name);
            octal(header, 100, 8, mode);
            octal(header, 108, 8, uid);
            octal(header, 116, 8, uid);
            octal(header, 124, 12, size);
            octal(header, 136, 12, MTIME);
            header[156] = (byte) type;
            if (linkTarget != null) {
                put(header, 157, 100, linkTarget);
            }
            put(header, 257, 6, "ustar");
            put(header, 263, 2, "00");
            put(header, 345, 155, prefix);
            java.util.Arrays.fill(header, 148, 156, (byte) ' ');
            int sum = 0;
            for (byte b : header) {
                sum += b & 0xff;
            }
            put(header, 148, 8, String.format("%06o", sum) + "\0 ");
            out.write(header);
        }

        void data(InputStream in, long size) throws IOException {
            long copied = in.transferTo(out);
            if (copied != size) {
                throw new IOException("size changed while writing: " + copied + " of " + size);
            }
            int pad = (int) ((512 - size % 512) % 512);
            out.write(new byte[pad]);
        }

        void finish() throws IOException {
            out.write(new byte[1024]);
        }

        private static void put(byte[] header, int offset, int length, String value) {
            byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
            if (bytes.length > length) {
                throw new IllegalArgumentException("too long for its tar field: " + value);
            }
            System.arraycopy(bytes, 0, header, offset, bytes.length);
        }

        private static void octal(byte[] header, int offset, int length, long value) {
            put(header, offset, length, String.format("%0" + (length - 1) + "o", value));
        }
    }

    static int mode(Path path) throws IOException {
        int mode = 0;
        for (PosixFilePermission p : Files.getPosixFilePermissions(path)) {
            mode |= 1 << (8 - p.ordinal());
        }
        // the image is the same for every user: read (and run, where the owner may) for all, write for root only
        return (mode & 0100) != 0 ? 0755 : 0644;
    }

    static boolean isElf(Path path) throws IOException {
        try (InputStream in = Files.newInputStream(path)) {
            byte[] magic = in.readNBytes(4);
            return magic.length == 4 && magic[0] == 0x7f && magic[1] == 'E' && magic[2] == 'L' && magic[3] == 'F';
        }
    }

    static byte[] text(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> files = Files.walk(root)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
