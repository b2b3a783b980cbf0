package io.waticamel.security;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Folders and files only the runtime's user may read, owner-only from the moment they exist: the
 * permissions are given when a file or folder is created, never set after something was written
 * (a reader that opened it meanwhile would keep reading). On a file system without POSIX
 * permissions they are created as the file system makes them.
 */
public final class OwnerOnlyFiles {

    private static final Logger LOG = LoggerFactory.getLogger(OwnerOnlyFiles.class);
    private static final boolean POSIX = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    /** A folder's permissions, and every permission a file or folder may have to count as owner-only. */
    private static final Set<PosixFilePermission> FOLDER = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");

    private OwnerOnlyFiles() {
    }

    /** The runtime's own folder: created owner-only, or made so if an earlier release left it open to others. */
    public static Path folder(Path folder) throws IOException {
        createMissing(folder);
        tighten(folder, FOLDER);
        return folder;
    }

    /** Missing folders on the way to {@code folder} are created owner-only; existing ones are left as they are (they may not be ours). */
    public static void createMissing(Path folder) throws IOException {
        Files.createDirectories(folder.toAbsolutePath(), attributes(FOLDER));
    }

    /**
     * The content of {@code file}, written now if the file does not exist yet: into an owner-only
     * temporary file beside it, then renamed, so nobody ever reads it half-written (a crash leaves no
     * empty key file). If another process wrote it first, its content wins.
     */
    public static String createOnce(Path file, String content) throws IOException {
        if (!Files.exists(file)) {
            Path folder = file.toAbsolutePath().getParent();
            createMissing(folder);
            Path temporary = Files.createTempFile(folder, "." + file.getFileName(), ".tmp", attributes(FILE));
            try {
                Files.writeString(temporary, content, StandardCharsets.UTF_8);
                Files.move(temporary, file);
            } catch (FileAlreadyExistsException anotherWriterWasFirst) {
                // its content is read below
            } finally {
                Files.deleteIfExists(temporary);
            }
        }
        return Files.readString(file, StandardCharsets.UTF_8);
    }

    /**
     * An empty owner-only file where a program that creates it with default permissions (H2) will
     * write, so it never exists readable by others; an existing one open to others is made owner-only.
     */
    public static void file(Path file) throws IOException {
        createMissing(file.toAbsolutePath().getParent());
        try {
            Files.createFile(file, attributes(FILE));
        } catch (FileAlreadyExistsException existing) {
            tighten(file, FILE);
        }
    }

    /** Whether anyone but the owner may read or enter {@code path} (false where permissions are not POSIX). */
    public static boolean openToOthers(Path path) throws IOException {
        return POSIX && !FOLDER.containsAll(Files.getPosixFilePermissions(path));
    }

    private static void tighten(Path path, Set<PosixFilePermission> ownerOnly) throws IOException {
        if (openToOthers(path)) {
            String was = PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
            Files.setPosixFilePermissions(path, ownerOnly);
            LOG.warn("{} was open to others ({}): made owner-only", path.toAbsolutePath(), was);
        }
    }

    private static FileAttribute<?>[] attributes(Set<PosixFilePermission> permissions) {
        return POSIX ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(permissions)} : new FileAttribute<?>[0];
    }
}
