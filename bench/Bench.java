// wati-camel benchmark harness (single-file Java program; not part of the main build or tests).
//
//   bench/run.sh            full run (< 10 min on 2 cores)
//   bench/run.sh --quick    short run (< 2 min), no thresholds
//
// Runs the packaged runtime (target/wati-camel.jar, or --jar= / BENCH_JAR) as a separate process against local
// WATI doubles and measures, side by side with the same requests sent directly from this load generator and
// through a plain Camel forwarder (platform-http -> camel-http, Camel defaults, its own JVM; see startForwarder):
//   1. send_session_message throughput/latency at c=1, 8, 32 (instant double) and c=256 (100 ms double),
//      runtime vs direct vs forwarder; time to steady throughput of a fresh runtime JVM at c=8
//   2. media streaming: get_media 100 MiB into Azurite (one, then 2 and 4 at once), send_session_file 95 MiB, at -Xmx128m
//      and no other memory option, peak heap and direct buffers by JMX
//   3. cold start: process start to GET /observe/health = 200; restart-to-healthy on an existing data folder
//   ext: throttle accuracy at 5, 50, 500 /s and 10,000 async actions through the outbox
//   ingest: WATI webhook events in (#13) on H2 and PostgreSQL: answers/s and latency at c=8 and 32 with 10 % redeliveries,
//      duplicate flags, each event forwarded once, processing rate and lag, CPU split (ingestSection)
//   campaign: bulk template campaigns (#14): N recipients POSTed, time to the 202 and to finished, recipients/s and calls/s,
//      each number counted at the WATI double (doubled, lost); one runtime on H2 and two on one PostgreSQL (campaignSection)
// plus, in the full run, configuration variants (-D before -jar) and a JFR profile of the worst ratio.
// Needs the runtime jar on the class path (Azure SDK for the raw copy): see run.sh.
// The runtime and the forwarder run on BENCH_JAVA (a java binary or a JDK home), else $JAVA_HOME/bin/java, else the
// java running this harness; jcmd and the JFR profile settings come from that same JDK.

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.GarbageCollectorMXBean;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import javax.management.MBeanServerConnection;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

import com.azure.storage.blob.BlobServiceClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

public class Bench {

    static final String API_KEY = "bench-key-0123456789abcdef";
    static final String TOKEN = "bench-token-abc123";
    static final String NUMBER = "27821234567";
    static final String MESSAGE = "Hello from the wati-camel benchmark";
    static final long MEDIA_SIZE = 100L * 1024 * 1024;   // get_media: 100 MiB image/jpeg
    static final long PDF_SIZE = 95L * 1024 * 1024;      // send_session_file: 95 MiB application/pdf
    static final String MEDIA_PATH = "/api/file/showFile";
    static final String MEDIA_QUERY = "fileName=data/images/big.jpg";
    static final String PDF_PATH = "/files/invoice.pdf";
    static final long SEED_MEDIA = 42, SEED_PDF = 43;
    static final double B_GOAL = 0.95;

    static final PrintStream OUT = System.out;
    static final List<AutoCloseable> CLEANUP = new ArrayList<>();
    static final StringBuilder REPORT = new StringBuilder();

    // ------------------------------------------------------------------------------- options
    static final class Options {
        boolean quick;
        Path root = Path.of(".").toAbsolutePath().normalize();
        Path jar;
        Path azuriteDir;
        Path work;
        List<String> runtimeOpts = new ArrayList<>();
        List<Variant> variants = new ArrayList<>();
        Set<String> sections = new HashSet<>(List.of("throughput", "forwarder", "media", "coldstart", "restart", "ext", "ingest", "campaign",
                "variants", "profile"));
        double maxWarmS;
        /** Length of the runtime's first (continuous, c=8) warm-up load, from which the time to steady throughput is taken. */
        double steadyS;
        /** Trailing seconds of that run whose mean is the "final steady value". */
        int steadyTailS;
        double fwdWarmS, fwdMaxWarmS;
        int restartRuns;
        List<String> forwarderOpts = new ArrayList<>();
        double measureS, warmS, directWarmS, bMeasureS, bWarmS, variantMeasureS, variantWarmS;
        int coldRuns, mediaRuns;
        long maxRequests = 2_000_000;
        /** Action doubles (a) and (b) on Vert.x (default; measured faster than the JDK server, see doubleCheck) or the JDK server. */
        boolean vertxDouble = true;
        List<String> mediaOpts = new ArrayList<>();
        /** ingest: distinct events per measured run (c=8 and c=32 each), events of the warm-up run, databases, waits. */
        int ingestEvents = -1, ingestWarm;
        List<String> ingestDbs = List.of("h2", "postgresql");
        double ingestWaitS, ingestGraceS;
        /** campaign: recipients of the measured campaign and of the warm-up one (0: none), databases, account rate, waits, profile. */
        int campaignRecipients = -1, campaignWarm = -1;
        List<String> campaignDbs = null; // h2 and postgresql; quick: h2 only (CampaignsIT runs two instances on PostgreSQL)
        int campaignRate = 50;
        double campaignWaitS, campaignGraceS;
        /** JFR on the first runtime and pg_stat_statements on PostgreSQL over the measured campaign (both cost a little). */
        boolean campaignProfile;
    }

    record Variant(String name, List<String> opts) {
    }

    public static void main(String[] args) throws Exception {
        // before any JDK HttpServer class is loaded: no delayed-ACK stalls, no idle-connection churn at c=256
        System.setProperty("sun.net.httpserver.nodelay", "true");
        System.setProperty("sun.net.httpserver.maxIdleConnections", "4096");
        System.setProperty("sun.net.httpserver.idleInterval", "3600"); // seconds: no server-side close racing a reused connection
        Options o = parse(args);
        Runtime.getRuntime().addShutdownHook(new Thread(Bench::cleanupAll));
        long t0 = System.nanoTime();
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        o.work = Files.createTempDirectory("wati-bench-" + stamp + "-");
        log("work dir " + o.work + ", jar " + o.jar + (o.quick ? " (quick run)" : " (full run)"));

        md("# wati-camel benchmark " + (o.quick ? "(quick)" : "(full)") + " " + stamp);
        md("");
        long q0 = machineCpuMs(), qh0 = cpuMs(ProcessHandle.current().pid());
        Thread.sleep(2000);
        double quiet = Math.max(0, machineCpuMs() - q0 - (cpuMs(ProcessHandle.current().pid()) - qh0)) / 2000.0 * 100 / 2;
        log(String.format(Locale.ROOT, "other processes' CPU before the run: %.0f %% of 2 cores", quiet));
        md("Machine: " + machine());
        md("Runtime jar: `" + o.jar + "`; runtime and forwarder JVM: " + javaVersion() + "; harness JVM: " + System.getProperty("java.runtime.version"));
        md(String.format(Locale.ROOT, "Other processes' CPU in the 2 s before the run: %.0f %% of 2 cores%s; load average at the start: %s", quiet,
                quiet > 10 ? " — WARNING: the machine is not quiet, figures are disturbed" : "", loadAvg()));
        md("Runtime options (baseline): " + (o.runtimeOpts.isEmpty() ? "none" : String.join(" ", o.runtimeOpts))
                + (o.mediaOpts.isEmpty() ? "" : "; media runtime also: " + String.join(" ", o.mediaOpts)));
        md("");

        prepareVariantFiles(o);
        Azurite azurite = null;
        if (o.sections.contains("media") || o.sections.contains("coldstart") || o.sections.contains("restart")) {
            azurite = Azurite.start(o.azuriteDir, o.work.resolve("azurite"));
            CLEANUP.add(azurite);
        }
        String cs = azurite == null ? null : azurite.connectionString();
        boolean failed = false;

        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        try (WatiDouble instant = new WatiDouble(0, 32); WatiDouble delayed = new WatiDouble(100, 8);
                Wati actionA = o.vertxDouble ? new VertxDouble(0) : instant;
                Wati actionB = o.vertxDouble ? new VertxDouble(100) : delayed) {
            Throughput base = null;
            if (o.sections.contains("throughput")) {
                base = throughputSection(o, client, actionA, actionB, cs);
                failed |= base.goalMissed;
                if (!o.quick) {
                    doubleCheck(o, client, instant);
                }
            }
            if (o.sections.contains("profile") && base != null) {
                profileSection(o, client, actionA, actionB, cs, base);
            }
            if (o.sections.contains("soak")) {
                soakSection(o, client, actionA, cs);
            }
            if (o.sections.contains("media")) {
                failed |= mediaSection(o, client, instant, cs);
            }
            if (o.sections.contains("coldstart")) {
                coldStartSection(o, client, cs);
            }
            if (o.sections.contains("restart")) {
                // the last cold start's working and data dir is an existing data folder: restart on it (saves a start)
                restartSection(o, cs, o.sections.contains("coldstart") ? "cold" + o.coldRuns : null);
            }
            if (o.sections.contains("ext")) {
                throttleAccuracy(o, client);
                outboxAsyncActions(o, client);
            }
            if (o.sections.contains("ingest")) {
                ingestSection(o, client, actionA);
            }
            if (o.sections.contains("campaign")) {
                campaignSection(o, client);
            }
            if (o.sections.contains("variants") && !o.variants.isEmpty()) {
                variantsSection(o, client, actionA, actionB, cs, base);
            }
        }
        double total = (System.nanoTime() - t0) / 1e9;
        md(String.format(Locale.ROOT, "Total harness time: %.0f s; load average at the end: %s", total, loadAvg()));
        Path results = o.root.resolve("bench/results");
        Files.createDirectories(results);
        Path file = results.resolve(stamp + (o.quick ? "-quick" : "-full") + ".md");
        Files.writeString(file, REPORT.toString());
        OUT.println();
        OUT.println("==================================================================== report");
        OUT.print(REPORT);
        OUT.println("report written to " + file);
        cleanupAll();
        if (failed && !o.quick) {
            OUT.println("THRESHOLD MISSED (see report); exit code 3");
            System.exit(3);
        }
        System.exit(0);
    }

    /**
     * Files some variants point to, in the work dir (never in the project): {work}/log4j2-actions-warn.properties raises
     * the per-action log line's logger to WARN (merged over the packaged log4j2.properties as a composite configuration).
     */
    static void prepareVariantFiles(Options o) throws IOException {
        Files.writeString(o.work.resolve("log4j2-actions-warn.properties"),
                "logger.actions.name = io.waticamel.actions\nlogger.actions.level = WARN\n");
        List<Variant> resolved = new ArrayList<>();
        for (Variant v : o.variants) {
            resolved.add(new Variant(v.name(), v.opts().stream().map(x -> x.replace("{work}", o.work.toString())).toList()));
        }
        o.variants = resolved;
        o.runtimeOpts = o.runtimeOpts.stream().map(x -> x.replace("{work}", o.work.toString())).collect(Collectors.toList());
    }

    static Options parse(String[] args) {
        Options o = new Options();
        double overrideWarm = -1, overrideMeasure = -1;
        for (String a : args) {
            if (a.equals("--quick")) {
                o.quick = true;
            } else if (a.startsWith("--root=")) {
                o.root = Path.of(a.substring(7)).toAbsolutePath().normalize();
            } else if (a.startsWith("--jar=")) {
                o.jar = Path.of(a.substring(6)).toAbsolutePath();
            } else if (a.startsWith("--azurite-dir=")) {
                o.azuriteDir = Path.of(a.substring(14)).toAbsolutePath();
            } else if (a.startsWith("--runtime-opt=")) {
                o.runtimeOpts.add(a.substring(14));
            } else if (a.startsWith("--forwarder-opt=")) {
                o.forwarderOpts.add(a.substring(16));
            } else if (a.startsWith("--variant=")) {
                // --variant=name:-Dk=v -Dk2=v2   (options separated by spaces)
                String v = a.substring(10);
                int colon = v.indexOf(':');
                o.variants.add(new Variant(v.substring(0, colon),
                        v.substring(colon + 1).isBlank() ? List.of() : List.of(v.substring(colon + 1).trim().split("\\s+"))));
            } else if (a.startsWith("--media-opt=")) {
                o.mediaOpts.add(a.substring(12));
            } else if (a.equals("--double=vertx")) {
                o.vertxDouble = true;
            } else if (a.equals("--double=jdk")) {
                o.vertxDouble = false;
            } else if (a.startsWith("--warm-s=")) {
                overrideWarm = Double.parseDouble(a.substring(9));
            } else if (a.startsWith("--measure-s=")) {
                overrideMeasure = Double.parseDouble(a.substring(12));
            } else if (a.startsWith("--ingest-events=")) {
                o.ingestEvents = Integer.parseInt(a.substring(16));
            } else if (a.startsWith("--ingest-db=")) {
                o.ingestDbs = List.of(a.substring(12).split(","));
            } else if (a.startsWith("--campaign-recipients=")) {
                o.campaignRecipients = Integer.parseInt(a.substring(22));
            } else if (a.startsWith("--campaign-warm=")) {
                o.campaignWarm = Integer.parseInt(a.substring(16));
            } else if (a.startsWith("--campaign-db=")) {
                o.campaignDbs = List.of(a.substring(14).split(","));
            } else if (a.startsWith("--campaign-rate=")) {
                o.campaignRate = Integer.parseInt(a.substring(16));
            } else if (a.equals("--campaign-profile")) {
                o.campaignProfile = true;
            } else if (a.startsWith("--only=")) {
                o.sections = new HashSet<>(List.of(a.substring(7).split(",")));
            } else if (a.startsWith("--skip=")) {
                o.sections.removeAll(List.of(a.substring(7).split(",")));
            } else {
                throw new IllegalArgumentException("unknown option " + a);
            }
        }
        if (o.jar == null) {
            o.jar = o.root.resolve("target/wati-camel.jar");
        }
        if (o.azuriteDir == null) {
            // our own install dir under bench/; reuse the project's test install when it is already there (read only)
            Path own = o.root.resolve("bench/.azurite");
            Path project = o.root.resolve(".tools/azurite");
            o.azuriteDir = !Files.isExecutable(own.resolve("node_modules/.bin/azurite-blob"))
                    && Files.isExecutable(project.resolve("node_modules/.bin/azurite-blob")) ? project : own;
        }
        if (o.quick) {
            o.maxWarmS = 16;
            o.warmS = 6; o.directWarmS = 1.5; o.measureS = 2; o.bWarmS = 1.5; o.bMeasureS = 2;
            o.steadyS = 15; o.steadyTailS = 5; o.fwdWarmS = 4; o.fwdMaxWarmS = 16; o.restartRuns = 2;
            o.coldRuns = 1; o.mediaRuns = 1; o.variantWarmS = 3; o.variantMeasureS = 2;
            o.ingestEvents = o.ingestEvents > 0 ? o.ingestEvents : 2000; o.ingestWarm = 1000; o.ingestWaitS = 60; o.ingestGraceS = 0.5;
            o.campaignRecipients = o.campaignRecipients > 0 ? o.campaignRecipients : 10_000; o.campaignWarm = Math.max(0, o.campaignWarm);
            o.campaignWaitS = 90; o.campaignGraceS = 0.5; o.campaignDbs = o.campaignDbs != null ? o.campaignDbs : List.of("h2");
            o.sections.remove("variants");
            o.sections.remove("profile");
        } else {
            o.maxWarmS = 60;
            o.warmS = 20; o.directWarmS = 4; o.measureS = 6; o.bWarmS = 3; o.bMeasureS = 6;
            o.steadyS = 75; o.steadyTailS = 10; o.fwdWarmS = 20; o.fwdMaxWarmS = 60; o.restartRuns = 5;
            o.coldRuns = 5; o.mediaRuns = 2; o.variantWarmS = 20; o.variantMeasureS = 5;
            o.ingestEvents = o.ingestEvents > 0 ? o.ingestEvents : 20_000; o.ingestWarm = 5000; o.ingestWaitS = 300; o.ingestGraceS = 1;
            o.campaignRecipients = o.campaignRecipients > 0 ? o.campaignRecipients : 100_000; o.campaignWarm = o.campaignWarm >= 0 ? o.campaignWarm : 10_000;
            o.campaignWaitS = 600; o.campaignGraceS = 1; o.campaignDbs = o.campaignDbs != null ? o.campaignDbs : List.of("h2", "postgresql");
        }
        if (overrideWarm >= 0) {
            o.warmS = overrideWarm;
            o.steadyS = Math.max(overrideWarm, o.steadyTailS + 1);
            o.variantWarmS = overrideWarm;
        }
        if (overrideMeasure > 0) {
            o.measureS = o.bMeasureS = o.variantMeasureS = overrideMeasure;
        }
        return o;
    }


    // ------------------------------------------------------------------------------- 1. throughput
    static final class Throughput {
        final Map<String, LoadResult> runtime = new LinkedHashMap<>();
        final Map<String, LoadResult> direct = new LinkedHashMap<>();
        final Map<String, LoadResult> forwarder = new LinkedHashMap<>();
        boolean goalMissed;
    }

    static Throughput throughputSection(Options o, HttpClient client, Wati instant, Wati delayed, String cs)
            throws Exception {
        log("== 1. action throughput (send_session_message): runtime vs direct"
                + (o.sections.contains("forwarder") ? " vs plain Camel forwarder" : ""));
        Throughput t = new Throughput();
        // the forwarder starts first and idles while the runtime is measured from its first request on
        RuntimeProcess fwd = null;
        RuntimeProcess rt = null;
        try {
            if (o.sections.contains("forwarder")) {
                fwd = RuntimeProcess.startForwarder(o, instant, delayed); // starts beside the runtime: its start is not measured
            }
            rt = RuntimeProcess.start(o, "throughput", o.runtimeOpts, cs);
            if (fwd != null) {
                fwd.awaitReady();
            }
            measureAll(o, client, rt, fwd, instant, delayed, t, o.warmS, o.measureS, o.bWarmS, o.bMeasureS, true);
            md("## 1. Action throughput and latency: send_session_message");
            md("");
            md("Runtime = load generator -> `POST /api/v1/actions` -> runtime -> camel-http -> double. "
                    + "Direct = the same WATI request (`POST /api/v1/sendSessionMessage/{n}?messageText=...`, Bearer token) "
                    + "from the same load generator (java.net.http.HttpClient, HTTP/1.1, closed loop, one thread per caller) "
                    + "straight to the double. "
                    + (fwd == null ? "" : "Forwarder = that same WATI request sent to a plain Camel forwarder in its own JVM (same java as the "
                    + "runtime, the runtime jar on the class path for the Camel classes, `org.apache.camel.main.Main`, its own "
                    + "properties and one YAML route per double: `platform-http:/a?matchOnUriPrefix=true` -> "
                    + "`http://<double>?bridgeEndpoint=true`, everything else Camel's defaults"
                    + (o.forwarderOpts.isEmpty() ? "" : "; JVM/-D options " + String.join(" ", o.forwarderOpts))
                    + "), which passes method, path, query, headers and body on to the double (the path carries the route's "
                    + "/a or /b prefix; the double answers any path). ")
                    + "Warm-up at c=8: runtime " + String.format(Locale.ROOT, "%.0f", rt.warmS)
                    + String.format(Locale.ROOT, " s (a continuous first %.0f s, then 3 s steps until its JIT compiles < 50 ms/s; at the end: %.0f ms/s)",
                    Math.max(o.warmS, o.steadyS), rt.warmJitRate) + ", direct " + o.directWarmS + " s"
                    + (fwd == null ? "" : String.format(Locale.ROOT, ", forwarder %.0f s (at the end: %.0f ms/s JIT)", fwd.warmS, fwd.warmJitRate))
                    + "; each point " + o.measureS + " s (c=256: " + o.bMeasureS + " s after " + o.bWarmS + " s warm-up each). "
                    + "Per point the order is runtime, direct, forwarder.");
            md("");
            md("Doubles: " + (o.vertxDouble ? "Vert.x 4 (Netty) HTTP server in the harness JVM, 2 event loops, no logging, a timer for the 100 ms "
                    + "answer (no thread waits); chosen over the JDK HttpServer because it costs less CPU per answer on these 2 shared cores "
                    + "(see the double check below; `--double=jdk` switches back)"
                    : "JDK com.sun.net.httpserver.HttpServer (nodelay, 32-thread executor; the 100 ms answer is scheduled, no thread waits)") + ".");
            md("");
            md("Throughput (rt = runtime, fwd = forwarder; CPU µs/req is the serving process's own CPU per answered request):");
            md("");
            md("| scenario | c | runtime req/s | direct req/s | forwarder req/s | rt/direct | fwd/direct | rt/fwd | errors rt/direct/fwd | CPU µs/req rt / fwd | CPU busy % rt+harness (of 2 cores) | other processes' CPU % rt/direct/fwd run |");
            md("|---|---|---|---|---|---|---|---|---|---|---|---|");
            for (String k : t.runtime.keySet()) {
                md(throughputRow(k, t.runtime.get(k), t.direct.get(k), t.forwarder.get(k)));
            }
            md("");
            md("Latency (ms; added = difference of the percentiles):");
            md("");
            md("| scenario | c | runtime p50 / p99 | direct p50 / p99 | forwarder p50 / p99 | added rt vs direct p50 / p99 | added fwd vs direct p50 / p99 | added rt vs fwd p50 / p99 |");
            md("|---|---|---|---|---|---|---|---|");
            for (String k : t.runtime.keySet()) {
                md(latencyRow(k, t.runtime.get(k), t.direct.get(k), t.forwarder.get(k)));
            }
            md("");
            for (String k : t.forwarder.keySet()) {
                LoadResult f = t.forwarder.get(k);
                if (f.errors > 0) {
                    md("Forwarder errors at " + k + ": " + f.errors + " (first: `" + abbreviate(f.firstError, 200) + "`)");
                    md("");
                }
            }
            LoadResult rb = t.runtime.get("b 100ms"), db = t.direct.get("b 100ms");
            double ratio = rb.rps() / db.rps();
            t.goalMissed = ratio < B_GOAL || rb.errors > 0;
            md(String.format(Locale.ROOT, "Goal (b) ratio >= %.2f at c=256: %s (%.3f)%s", B_GOAL,
                    ratio >= B_GOAL && rb.errors == 0 ? "MET" : "MISSED", ratio,
                    o.quick ? " (quick run: informational only)" : ""));
            md("");
            steadyReport(o, rt.steadyRun, "runtime");
            if (fwd != null && !o.quick) {
                steadyReport(o, fwd.steadyRun, "plain Camel forwarder, its warm-up run");
            }
        } finally {
            if (rt != null) {
                rt.close();
            }
            if (fwd != null) {
                fwd.close();
            }
        }
        return t;
    }

    static String fmt(String f, Object... a) {
        return String.format(Locale.ROOT, f, a);
    }

    static String throughputRow(String k, LoadResult r, LoadResult d, LoadResult f) {
        return fmt("| %s | %d | %.0f | %.0f | %s | %.3f | %s | %s | %d / %d / %s | %.0f / %s | %.0f | %.0f / %.0f / %s |",
                k, r.concurrency, r.rps(), d.rps(), f == null ? "n/a" : fmt("%.0f", f.rps()), r.rps() / d.rps(),
                f == null ? "n/a" : fmt("%.3f", f.rps() / d.rps()), f == null ? "n/a" : fmt("%.3f", r.rps() / Math.max(1e-9, f.rps())),
                r.errors, d.errors, f == null ? "n/a" : String.valueOf(f.errors), r.cpuPerReqUs(), f == null ? "n/a" : fmt("%.0f", f.cpuPerReqUs()),
                r.busyPercent(), r.otherPercent(), d.otherPercent(), f == null ? "n/a" : fmt("%.0f", f.otherPercent()));
    }

    static String latencyRow(String k, LoadResult r, LoadResult d, LoadResult f) {
        return fmt("| %s | %d | %.2f / %.2f | %.2f / %.2f | %s | %+.2f / %+.2f | %s | %s |", k, r.concurrency, r.p(50), r.p(99), d.p(50), d.p(99),
                f == null ? "n/a" : fmt("%.2f / %.2f", f.p(50), f.p(99)), r.p(50) - d.p(50), r.p(99) - d.p(99),
                f == null ? "n/a" : fmt("%+.2f / %+.2f", f.p(50) - d.p(50), f.p(99) - d.p(99)),
                f == null ? "n/a" : fmt("%+.2f / %+.2f", r.p(50) - f.p(50), r.p(99) - f.p(99)));
    }

    /**
     * Runs c=1, 8, 32 on the instant double and c=256 on the 100 ms double; fills t.runtime (and t.direct when withDirect,
     * t.forwarder when fwd is given). Per point: runtime, direct, forwarder.
     */
    static void measureAll(Options o, HttpClient client, RuntimeProcess rt, RuntimeProcess fwd, Wati instant, Wati delayed,
            Throughput t, double warmS, double measureS, double bWarmS, double bMeasureS, boolean withDirect) throws Exception {
        HttpRequest viaRuntime = actionRequest(rt, instant);
        HttpRequest direct = directRequest(instant);
        // the runtime's first load is one continuous run from its first request (time to steady throughput)
        rt.steadyRun = warmUp(o, client, rt, viaRuntime, Math.max(warmS, withDirect ? o.steadyS : 0), o.maxWarmS, "runtime", withDirect);
        HttpRequest viaFwd = null;
        if (fwd != null) {
            viaFwd = forwarderRequest(fwd, "a");
            fwd.steadyRun = warmUp(o, client, fwd, viaFwd, o.fwdWarmS, o.fwdMaxWarmS, "forwarder", true);
        }
        if (withDirect) {
            load(client, "warm-up direct", 8, o.directWarmS, o.maxRequests, direct, rt);
        }
        for (int c : o.quick ? new int[] {1, 32} : new int[] {1, 8, 32}) {
            String k = "a instant";
            LoadResult r = load(client, "runtime " + k + " c=" + c, c, measureS, o.maxRequests, viaRuntime, rt);
            t.runtime.put(k + " c=" + c, r);
            if (withDirect) {
                t.direct.put(k + " c=" + c, load(client, "direct " + k + " c=" + c, c, measureS, o.maxRequests, direct, rt));
            }
            if (fwd != null) {
                t.forwarder.put(k + " c=" + c, load(client, "forwarder " + k + " c=" + c, c, measureS, o.maxRequests, viaFwd, fwd));
            }
        }
        HttpRequest viaRuntimeB = actionRequest(rt, delayed);
        HttpRequest directB = directRequest(delayed);
        load(client, "warm-up runtime b c=256", 256, bWarmS, o.maxRequests, viaRuntimeB, rt);
        t.runtime.put("b 100ms", load(client, "runtime b 100ms c=256", 256, bMeasureS, o.maxRequests, viaRuntimeB, rt));
        if (withDirect) {
            load(client, "warm-up direct b c=256", 256, bWarmS, o.maxRequests, directB, rt);
            t.direct.put("b 100ms", load(client, "direct b 100ms c=256", 256, bMeasureS, o.maxRequests, directB, rt));
        }
        if (fwd != null) {
            HttpRequest viaFwdB = forwarderRequest(fwd, "b");
            load(client, "warm-up forwarder b c=256", 256, bWarmS, o.maxRequests, viaFwdB, fwd);
            t.forwarder.put("b 100ms", load(client, "forwarder b 100ms c=256", 256, bMeasureS, o.maxRequests, viaFwdB, fwd));
        }
    }

    /**
     * The runtime's JIT needs 40-50 s at c=8 on 2 cores before it stops compiling (see the soak diagnostic): warm up
     * at c=8 with one continuous load of firstS (per-second counts kept when perSecond), then in 3 s steps until the
     * process's JIT compile time falls under 50 ms per second (perf counters sun.ci.*), at most maxS in all.
     * Returns the first, continuous load.
     */
    static LoadResult warmUp(Options o, HttpClient client, RuntimeProcess rt, HttpRequest req, double firstS, double maxS, String who,
            boolean perSecond) throws Exception {
        log("warm-up: " + who + " c=8, first " + firstS + " s continuous, then until its JIT compiles < 50 ms/s (at most " + maxS + " s)");
        long start = System.nanoTime();
        double[] jit0 = jitCounters(rt.pid());
        LoadResult first = load(client, "warm-up " + who, 8, firstS, o.maxRequests, req, rt, perSecond);
        LoadResult r = first;
        double[] jit = jitCounters(rt.pid());
        double rate = (jit[0] - jit0[0]) / r.seconds;
        log(fmt("  %s JIT: %.0f ms compile per s, %.0f methods compiled", who, rate, jit[1]));
        while (rate >= 50 && (System.nanoTime() - start) / 1e9 + 3 <= maxS) {
            jit0 = jit;
            r = load(client, "warm-up " + who + " (step)", 8, 3, o.maxRequests, req, rt);
            jit = jitCounters(rt.pid());
            rate = (jit[0] - jit0[0]) / r.seconds;
            log(fmt("  %s JIT: %.0f ms compile per s, %.0f methods compiled", who, rate, jit[1]));
        }
        rt.warmS = (System.nanoTime() - start) / 1e9;
        rt.warmJitRate = rate;
        return first;
    }

    /**
     * Time to steady throughput: in a continuous closed-loop run from the first request of a fresh JVM, the first second
     * from which every whole second's count stays within ±10 % of the final steady value (the mean of the last
     * steadyTailS whole seconds).
     */
    static void steadyReport(Options o, LoadResult run, String who) {
        if (run == null || run.perSecond == null) {
            return;
        }
        long[] b = run.perSecond;
        int n = (int) Math.floor(run.windowS); // whole seconds of the run
        n = Math.min(n, b.length);
        md("## 1b. Time to steady throughput (" + who + ", fresh JVM, c=8 against the instant double, closed loop, from its first request)");
        md("");
        if (n < o.steadyTailS + 2) {
            md("Run too short (" + n + " s) for a figure.");
            md("");
            return;
        }
        int tail = o.steadyTailS;
        double fin = 0;
        for (int i = n - tail; i < n; i++) {
            fin += b[i];
        }
        fin /= tail;
        int steadyAt = n;
        for (int i = n - 1; i >= 0; i--) {
            if (Math.abs(b[i] - fin) <= 0.1 * fin) {
                steadyAt = i;
            } else {
                break;
            }
        }
        // the same on a 5 s moving average (second i = mean of seconds i-4..i): less sensitive to a busy machine's noise
        int maSteadyAt = n;
        for (int i = n - 1; i >= 4; i--) {
            double ma = (b[i] + b[i - 1] + b[i - 2] + b[i - 3] + b[i - 4]) / 5.0;
            if (Math.abs(ma - fin) <= 0.1 * fin) {
                maSteadyAt = i;
            } else {
                break;
            }
        }
        int firstWithin = -1;
        for (int i = 0; i < n; i++) {
            if (Math.abs(b[i] - fin) <= 0.1 * fin) {
                firstWithin = i;
                break;
            }
        }
        long firstSecond = b[0];
        String verdict = steadyAt <= n - tail
                ? fmt("**%d s** (seconds %d..%d of the run all within ±10 %% of %.0f req/s)", steadyAt, steadyAt, n - 1, fin)
                : fmt("**not steady within the run of %d s** (%s)", n, n == steadyAt ? "the last second is already outside ±10 %"
                        : "only the last " + (n - steadyAt) + " s within ±10 %");
        String maVerdict = maSteadyAt <= n - tail ? fmt("%d s (the window ending at second %d)", maSteadyAt + 1, maSteadyAt)
                : fmt("not steady within the run (%d trailing windows within ±10 %%)", n - maSteadyAt);
        md(fmt("Final steady value (mean of the last %d s of %d s): %.0f req/s. Time to steady (every later 1 s count within ±10 %%): %s. "
                + "On a 5 s moving average instead: %s. First second within ±10 %%: %s; first second of load: %d req (%.0f %% of steady).%s",
                tail, n, fin, verdict, maVerdict, firstWithin < 0 ? "none" : firstWithin + " s",
                firstSecond, 100.0 * firstSecond / fin, o.quick ? " (quick run: too short to be a real figure)" : ""));
        md("");
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            sb.append(i % 10 == 0 ? (i == 0 ? "" : "\n") + fmt("%3d s: ", i) : " ").append(fmt("%5d", b[i]));
        }
        md("Requests completed per second (second 0 = the first second of load):");
        md("");
        md("```");
        md(sb.toString());
        md("```");
        md("");
        log(fmt("time to steady (%s): steady %.0f req/s, steady from second %d of %d (5 s moving average: %d s)", who, fin, steadyAt, n,
                maSteadyAt + 1));
    }

    static HttpRequest actionRequest(RuntimeProcess rt, Wati wati) {
        String json = "{\"wati_action\":\"send_session_message\",\"api_endpoint\":\"" + wati.url()
                + "\",\"access_token\":\"" + TOKEN + "\",\"whatsappNumber\":\"" + NUMBER + "\",\"messageText\":\"" + MESSAGE + "\"}";
        return HttpRequest.newBuilder(URI.create(rt.url() + "/api/v1/actions")).timeout(Duration.ofSeconds(30))
                .header("X-API-Key", API_KEY).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build();
    }

    /** The request the runtime sends to WATI for the action above. */
    static HttpRequest directRequest(Wati wati) {
        return watiRequest(wati.url());
    }

    /** The same WATI request, sent to the forwarder's route for the instant ("a") or the 100 ms ("b") double. */
    static HttpRequest forwarderRequest(RuntimeProcess fwd, String route) {
        return watiRequest(fwd.url() + "/" + route);
    }

    static HttpRequest watiRequest(String base) {
        String q = "messageText=" + java.net.URLEncoder.encode(MESSAGE, StandardCharsets.UTF_8).replace("+", "%20");
        return HttpRequest.newBuilder(URI.create(base + "/api/v1/sendSessionMessage/" + NUMBER + "?" + q))
                .timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + TOKEN)
                .header("User-Agent", "wati-camel/bench").header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.noBody()).build();
    }

    // ------------------------------------------------------------------------------- load generator
    static final class LoadResult {
        String label;
        int concurrency;
        long ok, errors;
        double seconds;
        long[] latNs;
        String firstError;
        double runtimeCpuMs, harnessCpuMs, otherCpuMs;
        /** Answers (HTTP 200) completed in each second from the start of the load, when asked for. */
        long[] perSecond;
        /** The planned length of the load in seconds. */
        double windowS;

        /** CPU of the measured process (runtime or forwarder) per answered request, µs. */
        double cpuPerReqUs() {
            return runtimeCpuMs * 1000 / Math.max(1, ok);
        }

        /** CPU used by processes other than the runtime and this harness (e.g. a build running beside us), % of 2 cores. */
        double otherPercent() {
            return otherCpuMs / (seconds * 1000) * 100 / 2;
        }

        double rps() {
            return ok / seconds;
        }

        double p(double q) {
            if (latNs.length == 0) {
                return Double.NaN;
            }
            int i = (int) Math.ceil(q / 100.0 * latNs.length) - 1;
            return latNs[Math.max(0, Math.min(latNs.length - 1, i))] / 1e6;
        }

        double busyPercent() {
            return (runtimeCpuMs + harnessCpuMs) / (seconds * 1000) * 100 / 2;
        }
    }

    static final class Longs {
        long[] a = new long[4096];
        int n;

        void add(long v) {
            if (n == a.length) {
                a = Arrays.copyOf(a, n * 2);
            }
            a[n++] = v;
        }
    }

    static LoadResult load(HttpClient client, String label, int c, double seconds, long maxRequests, HttpRequest request,
            RuntimeProcess rt) throws InterruptedException {
        return load(client, label, c, seconds, maxRequests, request, rt, false);
    }

    /**
     * Closed loop: c threads, each sends, waits for the answer, sends again; bounded by time and by count. rt is the
     * process whose CPU is reported as the serving process's (may be null); with perSecond, answers are also counted
     * per second from the start.
     */
    static LoadResult load(HttpClient client, String label, int c, double seconds, long maxRequests, HttpRequest request,
            RuntimeProcess rt, boolean perSecond) throws InterruptedException {
        java.util.concurrent.atomic.AtomicLongArray buckets = perSecond ? new java.util.concurrent.atomic.AtomicLongArray((int) Math.ceil(seconds) + 65) : null;
        AtomicLong issued = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        AtomicReference<String> firstError = new AtomicReference<>();
        Longs[] lat = new Longs[c];
        CountDownLatch ready = new CountDownLatch(c);
        CountDownLatch go = new CountDownLatch(1);
        long[] window = new long[2];
        Thread[] threads = new Thread[c];
        for (int i = 0; i < c; i++) {
            Longs mine = lat[i] = new Longs();
            threads[i] = new Thread(() -> {
                ready.countDown();
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                long deadline = window[0];
                long t0 = window[1];
                while (issued.incrementAndGet() <= maxRequests) {
                    long s = System.nanoTime();
                    if (s >= deadline) {
                        break;
                    }
                    try {
                        HttpResponse<byte[]> resp = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
                        long e = System.nanoTime();
                        if (resp.statusCode() == 200) {
                            mine.add(e - s);
                            if (buckets != null) {
                                int sec = (int) ((e - t0) / 1_000_000_000L);
                                if (sec < buckets.length()) {
                                    buckets.incrementAndGet(sec);
                                }
                            }
                        } else {
                            errors.incrementAndGet();
                            firstError.compareAndSet(null, "HTTP " + resp.statusCode() + " " + new String(resp.body(), StandardCharsets.UTF_8));
                        }
                    } catch (Exception ex) {
                        errors.incrementAndGet();
                        firstError.compareAndSet(null, ex.toString());
                    }
                }
            }, "load-" + i);
            threads[i].setDaemon(true);
            threads[i].start();
        }
        ready.await();
        long all0 = machineCpuMs();
        long cpuRt0 = rt == null ? 0 : cpuMs(rt.pid());
        long cpuH0 = cpuMs(ProcessHandle.current().pid());
        Map<Long, Long> ours0 = oursCpu();
        long start = System.nanoTime();
        window[0] = start + (long) (seconds * 1e9);
        window[1] = start;
        go.countDown();
        for (Thread th : threads) {
            th.join((long) (seconds * 1000) + 60_000);
        }
        long end = System.nanoTime();
        LoadResult r = new LoadResult();
        r.label = label;
        r.concurrency = c;
        r.seconds = (end - start) / 1e9;
        r.runtimeCpuMs = rt == null ? 0 : cpuMs(rt.pid()) - cpuRt0;
        r.harnessCpuMs = cpuMs(ProcessHandle.current().pid()) - cpuH0;
        r.otherCpuMs = Math.max(0, machineCpuMs() - all0 - r.harnessCpuMs - oursDelta(ours0, rt, r.runtimeCpuMs));
        r.windowS = seconds;
        if (buckets != null) {
            r.perSecond = new long[buckets.length()];
            for (int i = 0; i < r.perSecond.length; i++) {
                r.perSecond[i] = buckets.get(i);
            }
        }
        int total = 0;
        for (Longs l : lat) {
            total += l.n;
        }
        r.latNs = new long[total];
        int pos = 0;
        for (Longs l : lat) {
            System.arraycopy(l.a, 0, r.latNs, pos, l.n);
            pos += l.n;
        }
        Arrays.sort(r.latNs);
        r.ok = total;
        r.errors = errors.get();
        r.firstError = firstError.get();
        log(String.format(Locale.ROOT, "%-28s c=%-3d %8.0f req/s  p50 %6.2f ms  p99 %7.2f ms  ok %d  errors %d%s  cpu rt %.0f ms harness %.0f ms other %.0f ms",
                label, c, r.rps(), r.p(50), r.p(99), r.ok, r.errors,
                r.firstError == null ? "" : " (first: " + abbreviate(r.firstError, 160) + ")", r.runtimeCpuMs, r.harnessCpuMs, r.otherCpuMs));
        return r;
    }

    /** The runtime/forwarder processes this harness started and has not closed yet (their CPU is not "other"). */
    static final Set<Long> OURS = java.util.concurrent.ConcurrentHashMap.newKeySet();

    static Map<Long, Long> oursCpu() {
        Map<Long, Long> m = new HashMap<>();
        for (long pid : OURS) {
            m.put(pid, cpuMs(pid));
        }
        return m;
    }

    /** CPU of our processes since the snapshot; the measured process (rt) counts with its own figure. */
    static double oursDelta(Map<Long, Long> before, RuntimeProcess rt, double rtCpu) {
        double sum = rt == null ? 0 : rtCpu;
        for (var e : before.entrySet()) {
            if (rt != null && e.getKey() == rt.pid()) {
                continue;
            }
            long now = cpuMs(e.getKey());
            sum += Math.max(0, now - e.getValue());
        }
        return sum;
    }

    /** /proc/loadavg's 1, 5 and 15 minute figures (runnable processes; 2 cores). */
    static String loadAvg() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " / " + f[1] + " / " + f[2] + " (1/5/15 min)";
        } catch (Exception e) {
            return "n/a";
        }
    }

    /** Busy CPU time of the whole machine (all cores) from /proc/stat, in ms. */
    static long machineCpuMs() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long busy = 0;
            for (int i : new int[] {1, 2, 3, 6, 7, 8}) { // user nice system irq softirq steal
                busy += Long.parseLong(f[i]);
            }
            return busy * 10;
        } catch (Exception e) {
            return 0;
        }
    }

    /** utime + stime of a process from /proc, in ms. */
    static long cpuMs(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]); // fields 14 and 15 of the whole line
            return ticks * 10; // CLK_TCK = 100 on Linux
        } catch (Exception e) {
            return 0;
        }
    }

    // ------------------------------------------------------------------------------- warm-up diagnostics
    /** Diagnostic (--only=soak): c=8 in 5 s steps for 90 s, with the runtime's CPU and JIT compile time per step. */
    static void soakSection(Options o, HttpClient client, Wati instant, String cs) throws Exception {
        RuntimeProcess rt = RuntimeProcess.start(o, "soak", o.runtimeOpts, cs);
        try {
            HttpRequest req = actionRequest(rt, instant);
            md("## Warm-up soak (c=8, 5 s steps)");
            md("");
            md("| t s | req/s | p50 ms | p99 ms | runtime CPU ms/s | JIT compile ms/s (sun.ci standard+osr time) | compiled methods |");
            md("|---|---|---|---|---|---|---|");
            double[] jit0 = jitCounters(rt.pid());
            long start = System.nanoTime();
            while ((System.nanoTime() - start) / 1e9 < (o.quick ? 30 : 90)) {
                LoadResult r = load(client, "soak", 8, 5, o.maxRequests, req, rt);
                double[] jit = jitCounters(rt.pid());
                md(String.format(Locale.ROOT, "| %.0f | %.0f | %.2f | %.2f | %.0f | %.0f | %.0f |", (System.nanoTime() - start) / 1e9, r.rps(),
                        r.p(50), r.p(99), r.runtimeCpuMs / r.seconds, (jit[0] - jit0[0]) / r.seconds, jit[1]));
                jit0 = jit;
            }
            md("");
        } finally {
            rt.close();
        }
    }

    /** {JIT compile time in ms, methods compiled} from the target's perf counters. */
    static double[] jitCounters(long pid) throws Exception {
        Process p = new ProcessBuilder(jcmdBin(), String.valueOf(pid), "PerfCounter.print").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(30, TimeUnit.SECONDS);
        double ticks = perf(out, "sun.ci.standardTime") + perf(out, "sun.ci.osrTime"), freq = perf(out, "sun.os.hrt.frequency");
        return new double[] {ticks / freq * 1000, perf(out, "sun.ci.standardCompiles") + perf(out, "sun.ci.osrCompiles")};
    }

    static double perf(String out, String name) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "=(\\d+)").matcher(out);
        return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
    }

    // ------------------------------------------------------------------------------- JFR profile
    /**
     * JFR on a separate runtime started with -XX:StartFlightRecording (JFR initialised, and its JDK instrumentation in
     * place, before the JIT warms up: starting JFR later in a warm process deoptimises and recompiles for seconds).
     * After the warm-up that recording is stopped and a fresh one per scenario covers only the measured window.
     */
    static void profileSection(Options o, HttpClient client, Wati instant, Wati delayed, String cs, Throughput t) throws Exception {
        String worst = null, worstCpu = null;
        double w = Double.MAX_VALUE, wc = Double.MAX_VALUE;
        for (String k : t.runtime.keySet()) {
            double ratio = t.runtime.get(k).rps() / t.direct.get(k).rps();
            if (ratio < w) {
                w = ratio;
                worst = k;
            }
            if (k.startsWith("a ") && ratio < wc) {
                wc = ratio;
                worstCpu = k;
            }
        }
        List<String> targets = new ArrayList<>(List.of(worst));
        if (!worstCpu.equals(worst)) {
            targets.add(worstCpu);
        }
        log("== JFR profile of " + targets);
        Path jfc = profileJfc(o);
        RuntimeProcess rt = RuntimeProcess.start(o, "profile", concat(o.runtimeOpts,
                List.of("-XX:StartFlightRecording=name=boot,settings=" + jfc)), cs);
        try {
            warmUp(o, client, rt, actionRequest(rt, instant), o.warmS, o.maxWarmS, "runtime", false);
            jcmd(rt.pid(), "JFR.stop", "name=boot");
            md("## JFR profile of the worst ratios (separate runtime with `-XX:StartFlightRecording=name=boot,settings=<profile.jfc with "
                    + "Java sampling every 2 ms>`; after its warm-up, one fresh recording per scenario covering only the measured window, "
                    + "analysed with jdk.jfr.consumer.RecordingFile)");
            md("");
            for (String k : targets) {
                LoadResult ref = t.runtime.get(k);
                Path jfr = o.work.resolve("profile-" + k.replaceAll("[^a-z0-9]+", "_") + ".jfr");
                HttpRequest req = actionRequest(rt, k.startsWith("b") ? delayed : instant);
                if (k.startsWith("b")) {
                    load(client, "warm-up profiled b", ref.concurrency, 2, o.maxRequests, req, rt);
                }
                double[] jit0 = jitCounters(rt.pid());
                jcmd(rt.pid(), "JFR.start", "name=bench", "settings=" + jfc);
                LoadResult r = load(client, "profiled runtime " + k, ref.concurrency, Math.max(o.measureS, 10), o.maxRequests, req, rt);
                jcmd(rt.pid(), "JFR.stop", "name=bench", "filename=" + jfr);
                double[] jit1 = jitCounters(rt.pid());
                md(String.format(Locale.ROOT, "### %s (ratio %.3f in section 1; %.0f req/s, %.0f µs runtime CPU per action while recording; "
                        + "JIT compile during the window %.0f ms) — %s", k, ref.rps() / t.direct.get(k).rps(), r.rps(),
                        r.runtimeCpuMs * 1000 / Math.max(1, r.ok), jit1[0] - jit0[0], jfr));
                md("");
                md("```");
                md(analyzeJfr(jfr).stripTrailing());
                md("```");
                md("");
            }
        } finally {
            rt.close();
        }
    }

    /** The JDK's profile.jfc with Java execution sampling every 2 ms instead of 10 ms (more samples per second). */
    static Path profileJfc(Options o) throws IOException {
        Path jfc = o.work.resolve("profile-2ms.jfc");
        // the settings of the JDK the runtime runs on (BENCH_JAVA / JAVA_HOME may differ from the harness's)
        Path own = targetJdkHome().resolve("lib/jfr/profile.jfc");
        String profile = Files.readString(Files.exists(own) ? own : Path.of(System.getProperty("java.home"), "lib", "jfr", "profile.jfc"));
        String patched = profile.replace("<setting name=\"period\" control=\"method-sampling-java-interval\">10 ms</setting>",
                "<setting name=\"period\" control=\"method-sampling-java-interval\">2 ms</setting>");
        if (patched.equals(profile)) {
            throw new IllegalStateException("profile.jfc: sampling period setting not found");
        }
        Files.writeString(jfc, patched);
        return jfc;
    }

    /**
     * Does the double limit the direct baseline? Everything shares 2 cores, so a double that costs more CPU per answer
     * lowers the direct figure: the same direct load at c=32 against the JDK HttpServer double and a Vert.x double.
     */
    static void doubleCheck(Options o, HttpClient client, Wati jdk) throws Exception {
        try (VertxDouble vx = new VertxDouble(0)) {
            load(client, "warm-up direct vertx double", 32, 3, o.maxRequests, directRequest(vx), null);
            load(client, "warm-up direct jdk double", 32, 3, o.maxRequests, directRequest(jdk), null);
            LoadResult j = load(client, "direct c=32 jdk double", 32, 5, o.maxRequests, directRequest(jdk), null);
            LoadResult v = load(client, "direct c=32 vertx double", 32, 5, o.maxRequests, directRequest(vx), null);
            md(String.format(Locale.ROOT, "Double check (direct, c=32, 5 s each, same load generator): JDK HttpServer double %.0f req/s (p50 %.2f ms), "
                    + "Vert.x/Netty double %.0f req/s (p50 %.2f ms); harness CPU %.0f %% / %.0f %% of 2 cores. "
                    + "The action doubles of this run: %s.", j.rps(), j.p(50), v.rps(), v.p(50), j.busyPercent(), v.busyPercent(),
                    o.vertxDouble ? "Vert.x" : "JDK HttpServer"));
            md("");
        }
    }

    static void jcmd(long pid, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(jcmdBin(), String.valueOf(pid)));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("jcmd failed: " + out);
        }
    }

    static String analyzeJfr(Path file) throws IOException {
        Map<String, Integer> self = new HashMap<>(), owner = new HashMap<>(), threads = new HashMap<>(), incl = new HashMap<>();
        Map<String, Set<String>> distinctThreads = new HashMap<>();
        Map<String, Map<String, Integer>> callers = new HashMap<>();
        Map<String, long[]> blocking = new HashMap<>();
        int samples = 0, compiles = 0, gcs = 0;
        double compileMs = 0, gcMs = 0;
        for (RecordedEvent e : RecordingFile.readAllEvents(file)) {
            String type = e.getEventType().getName();
            if (type.equals("jdk.ExecutionSample")) {
                RecordedStackTrace st = e.getStackTrace();
                if (st == null || st.getFrames().isEmpty()) {
                    continue;
                }
                samples++;
                List<RecordedFrame> frames = st.getFrames();
                if (frames.stream().anyMatch(f -> f.getMethod().getType().getName().startsWith("jdk.jfr."))) {
                    owner.merge("(JFR's own event writing)", 1, Integer::sum);
                    continue;
                }
                String topName = frameName(frames.get(0));
                self.merge(topName, 1, Integer::sum);
                StringBuilder chain = new StringBuilder();
                int added = 0;
                for (int i = 1; i < frames.size() && added < 4; i++) {
                    String cls = frames.get(i).getMethod().getType().getName();
                    if (!isJdk(cls)) {
                        chain.append(" <- ").append(cls.substring(cls.lastIndexOf('.') + 1)).append('.').append(frames.get(i).getMethod().getName());
                        added++;
                    }
                }
                callers.computeIfAbsent(topName, x -> new HashMap<>()).merge(chain.toString(), 1, Integer::sum);
                owner.merge(ownerOf(frames), 1, Integer::sum);
                RecordedThread th = e.getThread("sampledThread");
                String tn = threadGroup(th == null ? "?" : th.getJavaName());
                threads.merge(tn, 1, Integer::sum);
                Set<String> seen = new HashSet<>();
                for (RecordedFrame f : frames) {
                    String cls = f.getMethod().getType().getName();
                    if (!isJdk(cls) && seen.add(frameName(f))) {
                        incl.merge(frameName(f), 1, Integer::sum);
                    }
                }
            } else if (type.equals("jdk.Compilation")) {
                compiles++;
                compileMs += e.getDuration().toNanos() / 1e6;
            } else if (type.equals("jdk.GarbageCollection")) {
                gcs++;
                gcMs += e.getDuration().toNanos() / 1e6;
            } else if (type.equals("jdk.SocketRead") || type.equals("jdk.ThreadPark") || type.equals("jdk.JavaMonitorEnter")) {
                RecordedThread th = e.getThread("eventThread");
                String name = th == null ? "?" : th.getJavaName();
                String key = type.substring(4) + " on " + threadGroup(name);
                long[] v = blocking.computeIfAbsent(key, x -> new long[2]);
                v[0]++;
                v[1] += e.getDuration().toMillis();
                distinctThreads.computeIfAbsent(key, x -> new HashSet<>()).add(name);
            }
        }
        StringBuilder sb = new StringBuilder();
        sb.append("execution samples: ").append(samples).append(String.format(Locale.ROOT,
                "; JIT compilations: %d (%.0f ms, over the JFR threshold only); GCs: %d (%.0f ms)%n", compiles, compileMs, gcs, gcMs));
        sb.append("CPU samples by thread group:\n");
        top(threads, samples, 8, sb);
        sb.append("CPU samples by library (first non-JDK frame from the top of the stack):\n");
        top(owner, samples, 12, sb);
        sb.append("top frames (self):\n");
        top(self, samples, 15, sb);
        sb.append("most common callers (first 4 non-JDK frames below) of the top 5 self frames:\n");
        self.entrySet().stream().sorted((a, b) -> b.getValue() - a.getValue()).limit(5).forEach(en -> {
            var best = callers.get(en.getKey()).entrySet().stream().max(Map.Entry.comparingByValue()).get();
            sb.append(String.format(Locale.ROOT, "  %s (%d of %d): %s%n", abbreviate(en.getKey().replaceAll("^.*\\.([^.]+\\.[^.]+)$", "$1"), 50),
                    best.getValue(), en.getValue(), abbreviate(best.getKey(), 200)));
        });
        sb.append("inclusive (non-JDK frames on the stack):\n");
        top(incl, samples, 25, sb);
        if (!blocking.isEmpty()) {
            sb.append("blocking events over the JFR threshold (count, total ms, distinct threads):\n");
            blocking.entrySet().stream().sorted((a, b) -> Long.compare(b.getValue()[1], a.getValue()[1])).limit(8)
                    .forEach(en -> sb.append(String.format(Locale.ROOT, "  %-60s %7d %9d ms %5d threads%n", abbreviate(en.getKey(), 60),
                            en.getValue()[0], en.getValue()[1], distinctThreads.get(en.getKey()).size())));
        }
        return sb.toString();
    }

    static void top(Map<String, Integer> m, int total, int n, StringBuilder sb) {
        m.entrySet().stream().sorted((a, b) -> b.getValue() - a.getValue()).limit(n).forEach(en -> sb.append(
                String.format(Locale.ROOT, "  %5.1f%%  %s%n", 100.0 * en.getValue() / Math.max(1, total), abbreviate(en.getKey(), 110))));
    }

    static String frameName(RecordedFrame f) {
        return f.getMethod().getType().getName() + "." + f.getMethod().getName();
    }

    static boolean isJdk(String cls) {
        return cls.startsWith("java.") || cls.startsWith("jdk.") || cls.startsWith("sun.") || cls.startsWith("com.sun.");
    }

    static String ownerOf(List<RecordedFrame> frames) {
        for (RecordedFrame f : frames) {
            String cls = f.getMethod().getType().getName();
            if (!isJdk(cls)) {
                String[] p = cls.split("\\.");
                if (cls.startsWith("org.apache.camel.")) {
                    return p.length > 4 ? String.join(".", Arrays.copyOf(p, Math.min(5, p.length - 1))) : cls;
                }
                return p.length > 3 ? p[0] + "." + p[1] + "." + p[2] : cls;
            }
        }
        return "JDK only: " + frameName(frames.get(0)).replaceAll("\\.[^.]+$", "");
    }

    static String threadGroup(String name) {
        return name.replaceAll("[-#]?\\d+$", "").replaceAll("-\\d+-", "-N-");
    }

    // ------------------------------------------------------------------------------- 2. media
    static boolean mediaSection(Options o, HttpClient client, WatiDouble wati, String cs) throws Exception {
        log("== 2. media streaming");
        boolean failed = false;
        int jmxPort = freePort();
        List<String> opts = new ArrayList<>(o.runtimeOpts);
        opts.addAll(o.mediaOpts);
        opts.addAll(List.of("-Xmx128m", "-Dcom.sun.management.jmxremote.port=" + jmxPort,
                "-Dcom.sun.management.jmxremote.rmi.port=" + jmxPort, "-Dcom.sun.management.jmxremote.authenticate=false",
                "-Dcom.sun.management.jmxremote.ssl=false", "-Dcom.sun.management.jmxremote.host=127.0.0.1",
                "-Djava.rmi.server.hostname=127.0.0.1"));
        String expectMedia = sha256(new GeneratedStream(SEED_MEDIA, MEDIA_SIZE, null));
        String expectPdf = sha256(new GeneratedStream(SEED_PDF, PDF_SIZE, "%PDF-1.7\n"));
        BlobServiceClient blobs = new BlobServiceClientBuilder().connectionString(cs).buildClient();
        UploadSettings upload = UploadSettings.of(opts);
        List<String> rows = new ArrayList<>();
        RuntimeProcess rt = RuntimeProcess.start(o, "media", opts, cs);
        try (Jmx jmx = new Jmx(jmxPort)) {
            for (int run = 1; run <= o.mediaRuns; run++) {
                // get_media through the runtime
                String owner = "bench" + run;
                String body = "{\"wati_action\":\"get_media\",\"api_endpoint\":\"" + wati.url() + "\",\"access_token\":\"" + TOKEN
                        + "\",\"owner_id\":\"" + owner + "\",\"file_url\":\"" + wati.url() + MEDIA_PATH + "?" + MEDIA_QUERY + "\"}";
                Transfer tr = jmx.measure(() -> post(client, rt, body));
                String ok;
                if (tr.status == 200) {
                    var resp = new com.fasterxml.jackson.databind.ObjectMapper().readTree(tr.body).get("task_23001_response");
                    long size = resp.get("size").asLong();
                    // blob name as MediaNames.blobName: <record id>-<file name>
                    String blobName = resp.get("id").asText() + "-" + resp.get("file_name").asText();
                    var blob = blobs.getBlobContainerClient("wati-media-" + owner).getBlobClient(blobName);
                    String got = sha256(blob.openInputStream());
                    ok = size == MEDIA_SIZE && got.equals(expectMedia) ? "yes (size and SHA-256 of the blob match)"
                            : "NO: size " + size + ", sha " + got.substring(0, 12) + " (blob " + blobName + ")";
                    blob.delete();
                } else {
                    ok = "NO: HTTP " + tr.status + " " + abbreviate(tr.body, 200);
                }
                failed |= !ok.startsWith("yes");
                rows.add(mediaRow("get_media " + run + " (runtime, -Xmx128m)", MEDIA_SIZE, tr, ok));

                if (upload != null) {
                    // raw copy: harness GET from the double, then the upload the runtime's uploadBlockBlobChunked makes
                    // (BlobClient.uploadWithResponse in blocks, with the runtime's default block size and blocks in flight)
                    var container = blobs.getBlobContainerClient("bench-raw");
                    container.createIfNotExists();
                    var raw = container.getBlobClient("raw-" + run + ".jpg");
                    Transfer rawT = new Transfer();
                    localDirectPeak(() -> {
                        HttpResponse<InputStream> src = client.send(HttpRequest.newBuilder(URI.create(wati.url() + MEDIA_PATH + "?" + MEDIA_QUERY))
                                .header("Authorization", "Bearer " + TOKEN).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
                        try (InputStream in = src.body()) {
                            // the (deprecated) InputStream-and-length constructor camel-azure-storage-blob 4.18 calls
                            var resp = raw.uploadWithResponse(new com.azure.storage.blob.options.BlobParallelUploadOptions(in, MEDIA_SIZE)
                                    .setParallelTransferOptions(upload.options()), Duration.ofMinutes(5), com.azure.core.util.Context.NONE);
                            return new Resp(resp.getStatusCode() == 201 ? 200 : resp.getStatusCode(), "");
                        }
                    }, rawT);
                    String rawSha = sha256(raw.openInputStream());
                    rows.add(mediaRow("raw copy " + run + " (harness: HttpClient GET -> BlobClient.uploadWithResponse in " + upload
                            + ", as the runtime uploads)", MEDIA_SIZE, rawT, rawSha.equals(expectMedia) ? "yes" : "NO: sha mismatch"));
                    raw.delete();
                }

                // send_session_file through the runtime
                wati.resetUploads();
                String body2 = "{\"wati_action\":\"send_session_file\",\"api_endpoint\":\"" + wati.url() + "\",\"access_token\":\"" + TOKEN
                        + "\",\"whatsappNumber\":\"" + NUMBER + "\",\"file_url\":\"" + wati.url() + PDF_PATH + "\"}";
                Transfer ts = jmx.measure(() -> post(client, rt, body2));
                String ok2 = tr.status == 200 && ts.status == 200 && wati.lastUploadPartSize.get() == PDF_SIZE
                        && expectPdf.equals(wati.lastUploadPartSha.get())
                        ? "yes (multipart file part: size and SHA-256 match; " + wati.lastUploadBytes.get() + " bytes on the wire)"
                        : "NO: HTTP " + ts.status + " part " + wati.lastUploadPartSize.get() + " bytes " + abbreviate(ts.body, 160);
                failed |= !ok2.startsWith("yes");
                rows.add(mediaRow("send_session_file " + run + " (runtime, -Xmx128m)", PDF_SIZE, ts, ok2));

                // raw: harness GET from the double and streams it as multipart to the double (no spooling)
                wati.resetUploads();
                Transfer rawS = new Transfer();
                long t1 = System.nanoTime();
                HttpResponse<InputStream> pdf = client.send(HttpRequest.newBuilder(URI.create(wati.url() + PDF_PATH)).GET().build(),
                        HttpResponse.BodyHandlers.ofInputStream());
                String boundary = "bench-" + run;
                byte[] head = ("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"invoice.pdf\"\r\n"
                        + "Content-Type: application/pdf\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
                byte[] tail = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII);
                InputStream pdfBody = pdf.body();
                HttpResponse<String> up = client.send(HttpRequest.newBuilder(URI.create(wati.url() + "/api/v1/sendSessionFile/" + NUMBER
                        + "?caption=invoice.pdf")).header("Authorization", "Bearer " + TOKEN)
                        .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                        .POST(HttpRequest.BodyPublishers.concat(HttpRequest.BodyPublishers.ofByteArray(head),
                                HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofInputStream(() -> pdfBody), PDF_SIZE),
                                HttpRequest.BodyPublishers.ofByteArray(tail))).build(), HttpResponse.BodyHandlers.ofString());
                pdfBody.close();
                rawS.seconds = (System.nanoTime() - t1) / 1e9;
                rawS.status = up.statusCode();
                rows.add(mediaRow("raw send " + run + " (harness: HttpClient GET -> streamed multipart POST)", PDF_SIZE, rawS,
                        up.statusCode() == 200 && expectPdf.equals(wati.lastUploadPartSha.get()) ? "yes" : "NO: HTTP " + up.statusCode()));
            }
            if (!o.quick) {
                for (int atOnce : List.of(2, 4)) {
                    String row = concurrentGetMedia(client, rt, jmx, wati, blobs, atOnce);
                    failed |= !row.contains("| yes");
                    rows.add(row);
                }
            }
        } finally {
            rt.close();
        }
        md("## 2. Media streaming (runtime at -Xmx128m, Azurite 3.37.0 on 127.0.0.1)");
        md("");
        md("get_media: " + MEDIA_SIZE + " B (100 MiB) image/jpeg from the double's `" + MEDIA_PATH + "?" + MEDIA_QUERY
                + "` into Azurite; send_session_file: " + PDF_SIZE + " B (95 MiB) application/pdf from the double, uploaded as multipart "
                + "to the double's `/api/v1/sendSessionFile/{n}` (read and discarded, file part hashed). MB = 10^6 bytes. "
                + "Heap figures are the runtime's own (JMX, after `MemoryMXBean.gc()` and `resetPeakUsage()` on every heap pool): "
                + "'sum of pool peaks' adds each heap pool's peak (an upper bound: pools peak at different times), "
                + "'max sampled' is the largest `HeapMemoryUsage.used` polled every 20 ms, 'old peak' is the G1 Old Gen peak (where G1 puts "
                + "humongous objects: at this heap size anything from 512 KiB, so upload blocks stay below that), 'direct buffers' the largest "
                + "`BufferPool(direct).MemoryUsed` polled every 20 ms (NIO direct memory is capped at -Xmx, 128 MiB: the runtime is started "
                + "with no -XX:MaxDirectMemorySize); for the raw get_media copy it is the harness JVM's own direct-buffer growth during the "
                + "copy (same Azure SDK code path), heap n/a there. Runtime upload: "
                + (upload == null ? "one Put Blob of the whole stream (a jar from before #11; no raw copy)" : upload) + ".");
        md("");
        md("| transfer | success | seconds | MB/s | heap: sum of pool peaks MiB | heap max sampled MiB | old gen peak MiB | direct buffers max sampled MiB | GCs (ms) |");
        md("|---|---|---|---|---|---|---|---|---|");
        rows.forEach(Bench::md);
        md("");
        return failed;
    }

    /**
     * {@code atOnce} get_media of 100 MiB at the same time in the -Xmx128m runtime (no other memory option); each blob's size and
     * SHA-256 checked. Fails the section when one does not complete (before #11 two at once never answered).
     */
    static String concurrentGetMedia(HttpClient client, RuntimeProcess rt, Jmx jmx, Wati wati, BlobServiceClient blobs, int atOnce)
            throws Exception {
        String expectMedia = sha256(new GeneratedStream(SEED_MEDIA, MEDIA_SIZE, null));
        List<String> owners = new ArrayList<>();
        for (int i = 0; i < atOnce; i++) {
            owners.add("at-once-" + atOnce + "-" + i);
        }
        List<String> responses = java.util.Collections.synchronizedList(new ArrayList<>());
        Transfer all = jmx.measure(() -> {
            List<java.util.concurrent.CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
            for (String owner : owners) {
                calls.add(client.sendAsync(postRequest(rt, "{\"wati_action\":\"get_media\",\"api_endpoint\":\"" + wati.url()
                        + "\",\"access_token\":\"" + TOKEN + "\",\"owner_id\":\"" + owner + "\",\"file_url\":\"" + wati.url() + MEDIA_PATH
                        + "?" + MEDIA_QUERY + "\"}", Duration.ofMinutes(3)), HttpResponse.BodyHandlers.ofString()));
            }
            int worst = 200;
            StringBuilder bodies = new StringBuilder();
            for (var c : calls) {
                try {
                    HttpResponse<String> r = c.get(4, TimeUnit.MINUTES);
                    worst = r.statusCode() != 200 ? r.statusCode() : worst;
                    bodies.append(r.statusCode() == 200 ? "" : abbreviate(r.body(), 200) + " ");
                    responses.add(r.body());
                } catch (java.util.concurrent.ExecutionException e) {
                    worst = 0;
                    bodies.append("no answer within 3 min (" + e.getCause().getClass().getSimpleName() + ") ");
                }
            }
            return new Resp(worst, bodies.toString());
        });
        String ok = all.status == 200 ? "yes (all HTTP 200)" : "NO: " + (all.status == 0 ? "" : "HTTP " + all.status + " ") + abbreviate(all.body, 200);
        if (all.status == 200) {
            for (String body : responses) {
                var resp = new com.fasterxml.jackson.databind.ObjectMapper().readTree(body).get("task_23001_response");
                var blob = blobs.getBlobContainerClient("wati-media-" + resp.get("owner_id").asText())
                        .getBlobClient(resp.get("id").asText() + "-" + resp.get("file_name").asText());
                if (resp.get("size").asLong() != MEDIA_SIZE || !sha256(blob.openInputStream()).equals(expectMedia)) {
                    ok = "NO: blob " + blob.getBlobName() + " differs";
                }
            }
            ok = ok.startsWith("yes") ? "yes (all HTTP 200; size and SHA-256 of every blob match)" : ok;
        }
        for (String owner : owners) {
            var container = blobs.getBlobContainerClient("wati-media-" + owner);
            if (container.exists()) {
                container.delete();
            }
        }
        return mediaRow(atOnce + " x get_media at once (runtime, -Xmx128m, no other memory option; MB/s = all files / wall time)",
                atOnce * MEDIA_SIZE, all, ok);
    }

    /**
     * get_media's upload blocks as the runtime has them (wati.azure.upload-block-bytes, -blocks-in-flight): a -D among its
     * options, else this environment (the runtime inherits it), else the jar's application.properties.
     */
    record UploadSettings(long blockBytes, int inFlight) {
        /** Null for a runtime jar from before #11 (one Put Blob of the whole stream, no such keys): no raw copy then. */
        static UploadSettings of(List<String> runtimeOpts) throws IOException {
            java.util.Properties defaults = new java.util.Properties();
            try (InputStream in = ClassLoader.getSystemResourceAsStream("application.properties")) {
                defaults.load(in);
            }
            if (!defaults.containsKey("wati.azure.upload-block-bytes")) {
                return null;
            }
            return new UploadSettings(Long.parseLong(setting("wati.azure.upload-block-bytes", runtimeOpts, defaults)),
                    Integer.parseInt(setting("wati.azure.upload-blocks-in-flight", runtimeOpts, defaults)));
        }

        static String setting(String key, List<String> runtimeOpts, java.util.Properties defaults) {
            String fromOpts = null;
            for (String opt : runtimeOpts) {
                if (opt.startsWith("-D" + key + "=")) {
                    fromOpts = opt.substring(key.length() + 3);
                }
            }
            String fromEnv = System.getenv(key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_'));
            return (fromOpts != null ? fromOpts : fromEnv != null ? fromEnv : defaults.getProperty(key)).strip();
        }

        com.azure.storage.blob.models.ParallelTransferOptions options() {
            return new com.azure.storage.blob.models.ParallelTransferOptions().setBlockSizeLong(blockBytes)
                    .setMaxSingleUploadSizeLong(blockBytes).setMaxConcurrency(inFlight);
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "blocks of %d KiB, %d in flight", blockBytes / 1024, inFlight);
        }
    }

    static String mediaRow(String name, long size, Transfer t, String ok) {
        return String.format(Locale.ROOT, "| %s | %s | %.2f | %.1f | %s | %s | %s | %s | %s |", name, ok, t.seconds, size / 1e6 / t.seconds,
                t.poolPeakSum < 0 ? "n/a" : String.format(Locale.ROOT, "%.1f", t.poolPeakSum / 1048576.0),
                t.maxSampled < 0 ? "n/a" : String.format(Locale.ROOT, "%.1f", t.maxSampled / 1048576.0),
                t.oldPeak < 0 ? "n/a" : String.format(Locale.ROOT, "%.1f", t.oldPeak / 1048576.0),
                t.maxDirect < 0 ? "n/a" : String.format(Locale.ROOT, "%.1f", t.maxDirect / 1048576.0),
                t.gcCount < 0 ? "n/a" : t.gcCount + " (" + t.gcMs + ")");
    }

    static final class Transfer {
        int status;
        String body = "";
        double seconds;
        long poolPeakSum = -1, maxSampled = -1, oldPeak = -1, gcCount = -1, gcMs = -1, maxDirect = -1;
    }

    record Resp(int status, String body) {
    }

    interface Call {
        Resp call() throws Exception;
    }

    static Resp post(HttpClient client, RuntimeProcess rt, String json) throws Exception {
        HttpResponse<String> r = client.send(postRequest(rt, json), HttpResponse.BodyHandlers.ofString());
        return new Resp(r.statusCode(), r.body());
    }

    static HttpRequest postRequest(RuntimeProcess rt, String json) {
        return postRequest(rt, json, Duration.ofMinutes(3));
    }

    static HttpRequest postRequest(RuntimeProcess rt, String json, Duration timeout) {
        return HttpRequest.newBuilder(URI.create(rt.url() + "/api/v1/actions")).timeout(timeout)
                .header("X-API-Key", API_KEY).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build();
    }

    static final class Jmx implements AutoCloseable {
        final JMXConnector connector;
        final MBeanServerConnection mbs;

        Jmx(int port) throws IOException {
            connector = JMXConnectorFactory.connect(new JMXServiceURL("service:jmx:rmi:///jndi/rmi://127.0.0.1:" + port + "/jmxrmi"));
            mbs = connector.getMBeanServerConnection();
        }

        Transfer measure(Call call) throws Exception {
            MemoryMXBean memory = ManagementFactory.newPlatformMXBeanProxy(mbs, ManagementFactory.MEMORY_MXBEAN_NAME, MemoryMXBean.class);
            List<MemoryPoolMXBean> pools = ManagementFactory.getPlatformMXBeans(mbs, MemoryPoolMXBean.class).stream()
                    .filter(p -> p.getType() == MemoryType.HEAP).toList();
            List<GarbageCollectorMXBean> gcs = ManagementFactory.getPlatformMXBeans(mbs, GarbageCollectorMXBean.class);
            memory.gc();
            pools.forEach(MemoryPoolMXBean::resetPeakUsage);
            long gc0 = gcs.stream().mapToLong(GarbageCollectorMXBean::getCollectionCount).sum();
            long gcMs0 = gcs.stream().mapToLong(GarbageCollectorMXBean::getCollectionTime).sum();
            AtomicLong max = new AtomicLong();
            AtomicLong maxDirect = new AtomicLong();
            AtomicBoolean stop = new AtomicBoolean();
            var direct = ManagementFactory.getPlatformMXBeans(mbs, java.lang.management.BufferPoolMXBean.class).stream()
                    .filter(b -> b.getName().equals("direct")).findFirst().orElseThrow();
            Thread sampler = new Thread(() -> {
                while (!stop.get()) {
                    try {
                        max.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
                        maxDirect.accumulateAndGet(direct.getMemoryUsed(), Math::max);
                        Thread.sleep(20);
                    } catch (Exception e) {
                        return;
                    }
                }
            }, "heap-sampler");
            sampler.setDaemon(true);
            sampler.start();
            Transfer t = new Transfer();
            long s = System.nanoTime();
            Resp r = call.call();
            t.seconds = (System.nanoTime() - s) / 1e9;
            stop.set(true);
            sampler.join(2000);
            t.status = r.status();
            t.body = r.body();
            t.maxSampled = max.get();
            t.maxDirect = maxDirect.get();
            t.poolPeakSum = pools.stream().mapToLong(p -> p.getPeakUsage().getUsed()).sum();
            t.oldPeak = pools.stream().filter(p -> p.getName().contains("Old") || p.getName().contains("Tenured"))
                    .mapToLong(p -> p.getPeakUsage().getUsed()).sum();
            t.gcCount = gcs.stream().mapToLong(GarbageCollectorMXBean::getCollectionCount).sum() - gc0;
            t.gcMs = gcs.stream().mapToLong(GarbageCollectorMXBean::getCollectionTime).sum() - gcMs0;
            log(String.format(Locale.ROOT, "transfer HTTP %d in %.2f s; heap pool peaks %.1f MiB, max sampled %.1f MiB, old %.1f MiB, %d GCs, direct max %.1f MiB",
                    t.status, t.seconds, t.poolPeakSum / 1048576.0, t.maxSampled / 1048576.0, t.oldPeak / 1048576.0, t.gcCount,
                    t.maxDirect / 1048576.0));
            return t;
        }

        @Override
        public void close() throws IOException {
            connector.close();
        }
    }

    /** Largest NIO direct-buffer use of this (harness) JVM while the task runs, polled every 20 ms. */
    static long localDirectPeak(Call task, Transfer t) throws Exception {
        var direct = ManagementFactory.getPlatformMXBeans(java.lang.management.BufferPoolMXBean.class).stream()
                .filter(b -> b.getName().equals("direct")).findFirst().orElseThrow();
        long base = direct.getMemoryUsed();
        AtomicLong max = new AtomicLong(base);
        AtomicBoolean stop = new AtomicBoolean();
        Thread sampler = new Thread(() -> {
            while (!stop.get()) {
                max.accumulateAndGet(direct.getMemoryUsed(), Math::max);
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "local-direct-sampler");
        sampler.setDaemon(true);
        sampler.start();
        long s = System.nanoTime();
        Resp r = task.call();
        t.seconds = (System.nanoTime() - s) / 1e9;
        stop.set(true);
        sampler.join(2000);
        t.status = r.status();
        t.maxDirect = max.get() - base;
        return t.maxDirect;
    }

    static String sha256(InputStream in) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        try (in) {
            byte[] b = new byte[1 << 16];
            for (int n; (n = in.read(b)) > 0;) {
                md.update(b, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    /** size bytes: a 1 MiB random block (seeded) repeated; optional ASCII prefix over the first bytes. */
    static final class GeneratedStream extends InputStream {
        static final Map<String, byte[]> BLOCKS = new java.util.concurrent.ConcurrentHashMap<>();
        final byte[] block;
        final long size;
        long pos;

        GeneratedStream(long seed, long size, String prefix) {
            this.block = BLOCKS.computeIfAbsent(seed + "/" + prefix, k -> {
                byte[] b = new byte[1 << 20];
                new Random(seed).nextBytes(b);
                if (prefix != null) {
                    byte[] p = prefix.getBytes(StandardCharsets.US_ASCII);
                    System.arraycopy(p, 0, b, 0, p.length);
                }
                return b;
            });
            this.size = size;
        }

        @Override
        public int read() {
            if (pos >= size) {
                return -1;
            }
            return block[(int) (pos++ % block.length)] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (pos >= size) {
                return -1;
            }
            int at = (int) (pos % block.length);
            int n = (int) Math.min(Math.min(len, block.length - at), size - pos);
            System.arraycopy(block, at, b, off, n);
            pos += n;
            return n;
        }
    }

    // ------------------------------------------------------------------------------- 3. cold start
    static void coldStartSection(Options o, HttpClient client, String cs) throws Exception {
        log("== 3. cold start");
        List<Double> ms = new ArrayList<>();
        List<String> others = new ArrayList<>();
        List<String> camelLines = new ArrayList<>();
        String milestones = null;
        for (int i = 1; i <= o.coldRuns; i++) {
            RuntimeProcess rt = RuntimeProcess.start(o, "cold" + i, o.runtimeOpts, cs);
            ms.add(rt.startMs);
            others.add(String.format(Locale.ROOT, "%.0f", rt.startOtherPercent));
            camelLines.add(rt.camelStarted());
            if (i == 1) {
                milestones = rt.milestones();
            }
            rt.close();
            COLD.put("cold" + i, new double[] {rt.startMs, rt.stopMs});
        }
        List<Double> sorted = new ArrayList<>(ms);
        sorted.sort(null);
        double median = sorted.get(sorted.size() / 2);
        md("## 3. Cold start (process start to `GET /observe/health` = 200; fresh working and data dir each run)");
        md("");
        md(String.format(Locale.ROOT, "Median of %d: **%.0f ms**; runs: %s (other processes' CPU during each start, %% of 2 cores: %s)",
                ms.size(), median, ms.stream().map(v -> String.format(Locale.ROOT, "%.0f", v)).collect(Collectors.joining(", ")),
                String.join(", ", others)));
        md("");
        md("Camel's own start line per run:");
        md("");
        camelLines.forEach(l -> md("- `" + l + "`"));
        md("");
        md("Milestones of run 1 (ms after the process was started; from the runtime's log timestamps):");
        md("");
        md("```");
        md(milestones.stripTrailing());
        md("```");
        md("");
        if (!o.quick) {
            // what the JVM spends: classes loaded, and the same start with C1 only
            RuntimeProcess cl = RuntimeProcess.start(o, "cold-classload", concat(o.runtimeOpts,
                    List.of("-Xlog:class+load=info:file=classload.txt")), cs);
            cl.close();
            long classes;
            long fromJar;
            try (var lines = Files.lines(cl.dir.resolve("classload.txt"))) {
                List<String> all = lines.toList();
                classes = all.size();
                fromJar = all.stream().filter(l -> l.contains("wati-camel.jar")).count();
            }
            md(String.format(Locale.ROOT, "Classes loaded until healthy + shutdown (-Xlog:class+load): %d, of which %d from the jar "
                    + "(the rest from the JDK, %d of them from the CDS archive). Start with that logging: %.0f ms.",
                    classes, fromJar, countLines(cl.dir.resolve("classload.txt"), "shared objects file"), cl.startMs));
            md("");
            // AppCDS: one run that writes the archive at exit, then runs that use it
            Path jsa = o.work.resolve("app-cds.jsa");
            RuntimeProcess dump = RuntimeProcess.start(o, "cold-cds-dump", concat(o.runtimeOpts, List.of("-XX:ArchiveClassesAtExit=" + jsa)), cs);
            dump.close();
            List<Double> cds = new ArrayList<>();
            if (Files.exists(jsa)) {
                for (int i = 0; i < 2; i++) {
                    RuntimeProcess r = RuntimeProcess.start(o, "cold-cds-" + i, concat(o.runtimeOpts, List.of("-XX:SharedArchiveFile=" + jsa)), cs);
                    cds.add(r.startMs);
                    r.close();
                }
            }
            md("JVM-flag experiment: AppCDS (`-XX:ArchiveClassesAtExit=app.jsa` on one run, then `-XX:SharedArchiveFile=app.jsa`, 2 runs, "
                    + "fresh dirs): " + (cds.isEmpty() ? "archive not written" : medianText(cds) + " ms (the higher of 2)") + ".");
            md("");
            // where the start's CPU goes: JFR from the first instruction to healthy
            Path jfr = o.work.resolve("coldstart.jfr");
            RuntimeProcess pr = RuntimeProcess.start(o, "cold-jfr", concat(o.runtimeOpts,
                    List.of("-XX:StartFlightRecording=name=start,settings=" + profileJfc(o))), cs);
            jcmd(pr.pid(), "JFR.dump", "name=start", "filename=" + jfr);
            pr.close();
            md(String.format(Locale.ROOT, "JFR of one start (`-XX:StartFlightRecording=settings=<profile, Java sampling every 2 ms>`, dumped when healthy after %.0f ms; "
                    + "JFR itself slows the start):", pr.startMs));
            md("");
            md("```");
            md(analyzeJfr(jfr).stripTrailing());
            md("```");
            md("");
        }
    }

    // ------------------------------------------------------------------------------- 3b. restart to healthy
    /** Start and stop ms of each cold start, by its name (its dir is runtime-{name}). */
    static final Map<String, double[]> COLD = new HashMap<>();

    /**
     * Restart on an existing data folder: one start creates the working and data dir (H2 database migrated, secret key
     * written, routes unpacked), then restartRuns timed starts of the same jar on that same dir, each stopped with SIGTERM
     * before the next; launch to GET /observe/health = 200.
     */
    static void restartSection(Options o, String cs, String existing) throws Exception {
        log("== 3b. restart to healthy on an existing data folder");
        String name = existing == null ? "restart" : existing;
        double firstMs, firstStop;
        if (existing != null && COLD.containsKey(existing)) {
            firstMs = COLD.get(existing)[0];
            firstStop = COLD.get(existing)[1];
        } else {
            name = "restart";
            RuntimeProcess first = RuntimeProcess.start(o, name, o.runtimeOpts, cs, "runtime-0.log");
            firstMs = first.startMs;
            first.close();
            firstStop = first.stopMs;
        }
        List<Double> ms = new ArrayList<>();
        List<String> others = new ArrayList<>();
        List<String> stops = new ArrayList<>();
        List<String> camelLines = new ArrayList<>();
        String milestones = null;
        for (int i = 1; i <= o.restartRuns; i++) {
            RuntimeProcess rt = RuntimeProcess.start(o, name, o.runtimeOpts, cs, "runtime-restart" + i + ".log");
            ms.add(rt.startMs);
            others.add(fmt("%.0f", rt.startOtherPercent));
            camelLines.add(rt.camelStarted());
            if (i == 1) {
                milestones = rt.milestones();
            }
            rt.close();
            stops.add(fmt("%.0f", rt.stopMs));
        }
        List<Double> sorted = new ArrayList<>(ms);
        sorted.sort(null);
        double median = sorted.get(sorted.size() / 2);
        md("## 3b. Restart to healthy (existing data folder; launch to `GET /observe/health` = 200)");
        md("");
        md(fmt("Data folder: `runtime-" + name + "/data` of the work dir. First start (creates the data folder%s, not counted): %.0f ms. Median of %d restarts: **%.0f ms**; runs: %s "
                + "(other processes' CPU during each start, %% of 2 cores: %s). Graceful stop (SIGTERM to exit) of the first run %.0f ms, of each restart %s ms.",
                name.equals("restart") ? "" : "; the cold start of section 3", firstMs, ms.size(), median, ms.stream().map(v -> fmt("%.0f", v)).collect(Collectors.joining(", ")),
                String.join(", ", others), firstStop, String.join(", ", stops)));
        md("");
        md("Camel's own start line per restart:");
        md("");
        camelLines.forEach(l -> md("- `" + l + "`"));
        md("");
        md("Milestones of restart 1 (ms after launch; from the runtime's log timestamps):");
        md("");
        md("```");
        md(milestones.stripTrailing());
        md("```");
        md("");
        log(fmt("restart to healthy: median %.0f ms of %s", median, ms));
    }

    static long countLines(Path p, String needle) throws IOException {
        try (var lines = Files.lines(p)) {
            return lines.filter(l -> l.contains(needle)).count();
        }
    }

    static String medianText(List<Double> v) {
        List<Double> s = new ArrayList<>(v);
        s.sort(null);
        return String.format(Locale.ROOT, "%.0f (runs %s)", s.get(s.size() / 2),
                v.stream().map(x -> String.format(Locale.ROOT, "%.0f", x)).collect(Collectors.joining(", ")));
    }

    static <T> List<T> concat(List<T> a, List<T> b) {
        List<T> r = new ArrayList<>(a);
        r.addAll(b);
        return r;
    }

    // ------------------------------------------------------------------------------- (3) throttle, (5) outbox
    /** A double that only records when each send arrived (and which message it carried); answers at once. */
    static final class StampDouble implements Wati {
        final HttpServer server;
        final ConcurrentLinkedQueue<long[]> arrivals = new ConcurrentLinkedQueue<>();

        StampDouble() throws IOException {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 4096);
            server.setExecutor(Executors.newFixedThreadPool(16, daemon("stamp-double")));
            server.createContext("/", ex -> {
                long now = System.nanoTime();
                String q = ex.getRequestURI().getRawQuery();
                long id = -1;
                if (q != null && q.startsWith("messageText=o-")) {
                    id = Long.parseLong(q.substring("messageText=o-".length()));
                }
                arrivals.add(new long[] {now, id});
                ex.getRequestBody().transferTo(OutputStream.nullOutputStream());
                ex.getResponseHeaders().add("Content-Type", "application/json");
                ex.sendResponseHeaders(200, WatiDouble.OK.length);
                try (OutputStream out = ex.getResponseBody()) {
                    out.write(WatiDouble.OK);
                }
            });
            server.start();
        }

        @Override
        public String url() {
            return "http://127.0.0.1:" + server.getAddress().getPort();
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }

    static HttpRequest actionRequest(RuntimeProcess rt, Wati wati, String text, boolean async) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + rt.port + "/api/v1/actions"))
                .timeout(Duration.ofSeconds(120)).header("X-API-Key", API_KEY).header("Content-Type", "application/json");
        if (async) {
            b.header("Prefer", "respond-async");
        }
        return b.POST(HttpRequest.BodyPublishers.ofString("{\"wati_action\":\"send_session_message\",\"api_endpoint\":\"" + wati.url()
                + "\",\"access_token\":\"bench-token\",\"whatsappNumber\":\"27821234567\",\"messageText\":\"" + text + "\"}")).build();
    }

    /**
     * (3) The per-account throttle at 5, 50 and 500 actions/s: 2x the rate offered for the measured
     * time by closed-loop callers, arrivals at the double timestamped; achieved rate over the
     * measured window and the fullest and emptiest 1-second window versus the target.
     */
    static void throttleAccuracy(Options o, HttpClient client) throws Exception {
        log("== (3) throttle accuracy");
        md("## 3. Throttle accuracy (per-account throttle EIP)");
        md("");
        md("One account (request credentials, so `wati.throttle.per-second` applies), closed-loop callers offering more than "
                + "the rate; arrival times at the double. The first second (the throttle's initial burst) is left out.");
        md("");
        md("| target /s | measured s | arrivals | achieved /s | deviation | fullest 1 s window | emptiest 1 s window | worst window deviation |");
        md("|---|---|---|---|---|---|---|---|");
        int[] rates = o.quick ? new int[] {50} : new int[] {5, 50, 500};
        double seconds = o.quick ? 4 : 12;
        for (int rate : rates) {
            try (StampDouble wati = new StampDouble();
                    RuntimeProcess rt = RuntimeProcess.start(o, "throttle-" + rate, List.of("-Dwati.throttle.per-second=" + rate,
                            "-Dwati.throttle.max-wait-ms=600000"), null)) {
                int callers = Math.min(400, Math.max(8, rate * 2));
                ExecutorService pool = Executors.newFixedThreadPool(callers, daemon("throttle-caller"));
                long end = System.nanoTime() + (long) ((seconds + 1.5) * 1e9);
                List<Future<?>> running = new ArrayList<>();
                for (int i = 0; i < callers; i++) {
                    running.add(pool.submit(() -> {
                        while (System.nanoTime() < end) {
                            client.send(actionRequest(rt, wati, "t", false), HttpResponse.BodyHandlers.discarding());
                        }
                        return null;
                    }));
                }
                for (Future<?> f : running) {
                    f.get();
                }
                pool.shutdownNow();
                List<Long> t = wati.arrivals.stream().map(a -> a[0]).sorted().toList();
                long from = t.get(0) + 1_000_000_000L;
                long to = from + (long) (seconds * 1e9);
                List<Long> window = t.stream().filter(x -> x >= from && x < to).toList();
                double achieved = window.size() / seconds;
                int fullest = 0;
                int emptiest = Integer.MAX_VALUE;
                for (long start = from; start + 1_000_000_000L <= to; start += 50_000_000L) {
                    long s = start;
                    int n = (int) window.stream().filter(x -> x >= s && x < s + 1_000_000_000L).count();
                    fullest = Math.max(fullest, n);
                    emptiest = Math.min(emptiest, n);
                }
                double worst = Math.max(fullest - rate, rate - emptiest) * 100.0 / rate;
                String row = String.format(Locale.ROOT, "| %d | %.0f | %d | %.2f | %+.1f %% | %d | %d | %.1f %% |", rate, seconds,
                        window.size(), achieved, (achieved - rate) * 100 / rate, fullest, emptiest, worst);
                log(row);
                md(row);
            }
        }
        md("");
        md("Goal: within ±5 %. The windows slide in 50 ms steps; a window's count is whole calls, so at 5/s one call more "
                + "or less is already 20 %.");
        md("");
    }

    /**
     * (5) Async actions through the outbox: N submitted with Prefer: respond-async by 32 callers
     * (throttle off), then drained by the workers; submit rate, drain rate, and the lag from each
     * action's acceptance to its arrival at the double.
     */
    static void outboxAsyncActions(Options o, HttpClient client) throws Exception {
        int total = o.quick ? 1000 : 10_000;
        log("== (5) " + total + " async actions through the outbox");
        md("## 5. " + total + " async actions through the outbox");
        md("");
        try (StampDouble wati = new StampDouble();
                RuntimeProcess rt = RuntimeProcess.start(o, "outbox", List.of("-Dwati.throttle.per-second=0",
                        "-Dwati.outbox.poll-ms=20", "-Dwati.outbox.batch-size=200", "-Dwati.outbox.workers=32"), null)) {
            long[] accepted = new long[total];
            ExecutorService pool = Executors.newFixedThreadPool(32, daemon("outbox-caller"));
            java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
            java.util.concurrent.atomic.AtomicInteger refused = new java.util.concurrent.atomic.AtomicInteger();
            long t0 = System.nanoTime();
            List<Future<?>> posters = new ArrayList<>();
            for (int c = 0; c < 32; c++) {
                posters.add(pool.submit(() -> {
                    for (int i; (i = next.getAndIncrement()) < total;) {
                        accepted[i] = System.nanoTime();
                        HttpResponse<Void> r = client.send(actionRequest(rt, wati, "o-" + i, true), HttpResponse.BodyHandlers.discarding());
                        if (r.statusCode() != 202) {
                            refused.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : posters) {
                f.get();
            }
            pool.shutdownNow();
            double submitS = (System.nanoTime() - t0) / 1e9;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(o.quick ? 60 : 300);
            while (wati.arrivals.size() < total - refused.get() && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            double allS = (System.nanoTime() - t0) / 1e9;
            List<long[]> arrivals = new ArrayList<>(wati.arrivals);
            long distinct = arrivals.stream().map(a -> a[1]).distinct().count();
            long lastArrival = arrivals.stream().mapToLong(a -> a[0]).max().orElse(t0);
            List<Double> lags = arrivals.stream().filter(a -> a[1] >= 0 && accepted[(int) a[1]] > 0)
                    .map(a -> (a[0] - accepted[(int) a[1]]) / 1e6).sorted().toList();
            String text = String.format(Locale.ROOT, "accepted %d (refused %d) in %.1f s = %.0f /s submitted; delivered %d (distinct %d, "
                    + "duplicates %d) in %.1f s from the first submission = %.0f /s end to end; lag submission -> WATI p50 %.0f ms, "
                    + "p99 %.0f ms, max %.0f ms", total - refused.get(), refused.get(), submitS, (total - refused.get()) / submitS,
                    arrivals.size(), distinct, arrivals.size() - distinct, (lastArrival - t0) / 1e9, arrivals.size() / ((lastArrival - t0) / 1e9),
                    lags.isEmpty() ? 0 : lags.get(lags.size() / 2), lags.isEmpty() ? 0 : lags.get((int) (lags.size() * 0.99)),
                    lags.isEmpty() ? 0 : lags.get(lags.size() - 1));
            log(text);
            md("- " + text + (allS > (o.quick ? 60 : 300) ? " (NOT all delivered within the time limit)" : ""));
            md("- Each accepted action costs durable writes before its 202 (outbox row; H2 with WRITE_DELAY=0) and three "
                    + "more as it is claimed, marked sending and finished; the lag is mostly queueing behind the submissions.");
            md("");
        }
    }

    // ------------------------------------------------------------------------------- ingest: WATI events in (#13)
    static final String WEBHOOK_ACCOUNT = "main";
    static final String WEBHOOK_SECRET = "bench-secret-0123456789";

    /**
     * WATI events in (#13): per database (H2, the default, and PostgreSQL with its default settings, fsync on), one runtime
     * with wati.events.forward-url pointing at a double in this JVM; a warm-up run, then N distinct events at c=8 and N at
     * c=32, each with N/10 redeliveries of events already answered mixed in (every 11th request), the events worker running
     * as shipped. Per run: answers (rate, latency, non-200, duplicate flags), then the wait for the forwards (each distinct
     * event exactly once), the processing rate and the lag, and the CPU split. Informational: no thresholds.
     */
    static void ingestSection(Options o, HttpClient client, Wati wati) throws Exception {
        log("== ingest: WATI webhook events in, " + o.ingestEvents + " events per run, databases " + o.ingestDbs);
        List<IngestResult> results = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        int run = 0;
        try (ForwardDouble fwd = new ForwardDouble()) {
            for (String db : o.ingestDbs) {
                Postgres pg = null;
                RuntimeProcess rt = null;
                try {
                    List<String> opts = new ArrayList<>(o.runtimeOpts);
                    opts.addAll(List.of("-Dwati.accounts." + WEBHOOK_ACCOUNT + ".endpoint=" + wati.url() + "/123",
                            "-Dwati.accounts." + WEBHOOK_ACCOUNT + ".token=" + TOKEN,
                            "-Dwati.accounts." + WEBHOOK_ACCOUNT + ".webhook-secret=" + WEBHOOK_SECRET,
                            "-Dwati.events.forward-url=" + fwd.url() + "/hook"));
                    if (db.equals("postgresql")) {
                        Path bin = Postgres.binDir();
                        if (bin == null) {
                            notes.add("PostgreSQL: not measured, no server binaries (initdb, pg_ctl) under /usr/lib/postgresql or PG_BIN");
                            continue;
                        }
                        pg = Postgres.start(bin);
                        CLEANUP.add(pg);
                        notes.add("PostgreSQL: " + pg.settings());
                        opts.add("-Dwati.db.url=" + pg.jdbcUrl());
                        opts.add("-Dwati.db.user=wati");
                    } else if (!db.equals("h2")) {
                        throw new IllegalArgumentException("--ingest-db: h2 or postgresql, not " + db);
                    }
                    rt = RuntimeProcess.start(o, "ingest-" + db, opts, null);
                    notes.add("Answers to bad requests (" + db + "): " + ingestRefusals(client, rt));
                    results.add(ingestRun(o, client, rt, fwd, pg, db, "warm-up", ++run, o.ingestWarm, 32));
                    for (int c : new int[] {8, 32}) {
                        results.add(ingestRun(o, client, rt, fwd, pg, db, "measured", ++run, o.ingestEvents, c));
                    }
                    if (pg != null) {
                        notes.add("PostgreSQL wati_events after the runs: " + pg.eventStates());
                    }
                    rt.close();
                    if (pg == null) {
                        notes.add("H2 wati_events after the runs: " + h2EventStates(rt.dir.resolve("data/db")));
                    }
                } finally {
                    if (rt != null) {
                        rt.close();
                    }
                    if (pg != null) {
                        pg.close();
                    }
                }
            }
            if (fwd.stray.get() > 0) {
                notes.add("Forwards of no known event: " + fwd.stray.get() + " (first body: `" + abbreviate(fwd.firstStray.get(), 200) + "`)");
            }
        }
        md("## Ingest: WATI webhook events in (#13)");
        md("");
        md(fmt("`POST /webhooks/wati/%s/{secret}` from this load generator (java.net.http.HttpClient, HTTP/1.1, closed loop, one thread "
                + "per caller): per run N distinct events (2 of 3 message status events, Delivered or Read, 1 of 3 a customer text "
                + "message, ~250 bytes each), plus N/10 redeliveries (every 11th request is the same body as an event whose 200 "
                + "already came back, picked at random), so each run sends 1.1 N requests. The runtime is as shipped (events "
                + "worker: poll every 100 ms, up to 200 claimed per poll, 8 worker threads; the forward is its only subscriber) with "
                + "`wati.events.forward-url` pointing at a Vert.x double in the harness JVM that answers 200 and counts each event's "
                + "forwards. Per database one fresh runtime: a warm-up run of %d events at c=32 (a fresh JVM, shown), then %d at "
                + "c=8 and %d at c=32; each run waits for its last forward (at most %.0f s) and %.1f s more to catch a second "
                + "forward before the next starts. H2 = the default embedded file database (the runtime sets WRITE_DELAY 0: each "
                + "commit written at once, not fsynced); PostgreSQL 15 = a throwaway cluster (initdb, pg_ctl) on 127.0.0.1 with "
                + "PostgreSQL's defaults (fsync on, synchronous_commit on: each commit is fsynced), same machine and disk. "
                + "Goal stated by #13: >= 2000 events/s per instance with the answer's p99 under 50 ms (not asserted here).",
                WEBHOOK_ACCOUNT, o.ingestWarm, o.ingestEvents, o.ingestEvents, o.ingestWaitS, o.ingestGraceS));
        md("");
        md("Ingest and duplicates (answers; latency of every request, redeliveries included):");
        md("");
        md("| database | run | c | requests (events + redeliveries) | answered /s | p50 / p99 / max ms | non-200 | duplicate=true / redeliveries sent | stored (duplicate=false) / events | forwarded / twice / missing |");
        md("|---|---|---|---|---|---|---|---|---|---|");
        for (IngestResult r : results) {
            md(r.ingestRow());
        }
        md("");
        md("Processing (the events worker, while and after the events came in) and CPU (% of 2 cores; harness = load generator, "
                + "forward double and WATI doubles, one JVM; PostgreSQL = the postmaster and its backends; other = the rest of the "
                + "machine, e.g. another build):");
        md("");
        md("| database | run | c | first event -> last forward s | processing events/s | ingest s | lag: ingest end -> last forward s | answer -> forward p50 / p99 ms | runtime CPU µs/event (intake + processing) | CPU % during ingest: runtime / harness / PostgreSQL / other | CPU % after ingest: runtime / harness / PostgreSQL / other |");
        md("|---|---|---|---|---|---|---|---|---|---|---|");
        for (IngestResult r : results) {
            md(r.processingRow());
        }
        md("");
        for (IngestResult r : results) {
            if (r.firstNon200 != null) {
                md("First non-200 (" + r.db + ", " + r.label + " c=" + r.c + "): `" + abbreviate(r.firstNon200, 300) + "`");
                md("");
            }
            if (r.processingTimedOut) {
                md("NOT all events forwarded within " + o.ingestWaitS + " s (" + r.db + ", " + r.label + " c=" + r.c + ")");
                md("");
            }
        }
        for (String n : notes) {
            md("- " + n);
        }
        md("");
    }

    /** A wrong secret, an unknown account and a body that is no JSON: their statuses (404, 404, 400 expected). */
    static String ingestRefusals(HttpClient client, RuntimeProcess rt) throws Exception {
        String ok = "{\"eventType\":\"sentMessageREAD_v2\",\"id\":\"probe\",\"whatsappMessageId\":\"wamid.probe\",\"statusString\":\"Read\"}";
        int wrongSecret = client.send(webhookRequest(rt, WEBHOOK_ACCOUNT, WEBHOOK_SECRET + "x", ok), HttpResponse.BodyHandlers.discarding()).statusCode();
        int unknown = client.send(webhookRequest(rt, "nobody", WEBHOOK_SECRET, ok), HttpResponse.BodyHandlers.discarding()).statusCode();
        int notJson = client.send(webhookRequest(rt, WEBHOOK_ACCOUNT, WEBHOOK_SECRET, "not json"), HttpResponse.BodyHandlers.discarding()).statusCode();
        String s = fmt("wrong secret %d, unknown account %d, non-JSON body %d (expected 404, 404, 400)", wrongSecret, unknown, notJson);
        log(s);
        return s;
    }

    static HttpRequest webhookRequest(RuntimeProcess rt, String account, String secret, String body) {
        return webhookRequest(URI.create(rt.url() + "/webhooks/wati/" + account + "/" + secret), body.getBytes(StandardCharsets.UTF_8));
    }

    static HttpRequest webhookRequest(URI uri, byte[] body) {
        return HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
    }

    /** Event i of run r: its id is "ev{r}-{i}" (the forward double reads it back); 2 of 3 status events, 1 of 3 a customer text. */
    static byte[] ingestEvent(int run, int i) {
        String id = "ev" + run + "-" + i;
        String waId = "2782" + String.format(Locale.ROOT, "%07d", i % 5000);
        long ts = 1764400000L + i;
        String json = switch (i % 3) {
            case 0 -> "{\"eventType\":\"sentMessageDELIVERED_v2\",\"id\":\"" + id + "\",\"whatsappMessageId\":\"wamid." + id
                    + "\",\"conversationId\":\"conv-" + waId + "\",\"ticketId\":\"ticket-" + waId + "\",\"statusString\":\"Delivered\","
                    + "\"waId\":\"" + waId + "\",\"timestamp\":\"" + ts + "\"}";
            case 1 -> "{\"eventType\":\"sentMessageREAD_v2\",\"id\":\"" + id + "\",\"whatsappMessageId\":\"wamid." + id
                    + "\",\"conversationId\":\"conv-" + waId + "\",\"ticketId\":\"ticket-" + waId + "\",\"statusString\":\"Read\","
                    + "\"waId\":\"" + waId + "\",\"timestamp\":\"" + ts + "\"}";
            default -> "{\"eventType\":\"message\",\"id\":\"" + id + "\",\"whatsappMessageId\":\"wamid." + id + "\",\"conversationId\":\"conv-"
                    + waId + "\",\"ticketId\":\"ticket-" + waId + "\",\"text\":\"Hello, is my order " + i + " on its way?\",\"type\":\"text\","
                    + "\"data\":null,\"timestamp\":\"" + ts + "\",\"owner\":false,\"statusString\":\"SENT\",\"waId\":\"" + waId
                    + "\",\"senderName\":\"Bench Customer\"}";
        };
        return json.getBytes(StandardCharsets.UTF_8);
    }

    static final class IngestResult {
        String db, label;
        int c, events, redeliveries;
        long ok, non200, dupTrue, dupFalse, dupTrueOnFresh, dupFalseOnRedelivery;
        String firstNon200;
        long[] latNs;
        double ingestS, allS, lagS;
        long forwarded, forwardedTwice, forwardsTotal, missing;
        double[] answerToForwardMs = new double[0];
        boolean processingTimedOut;
        /** CPU ms during ingest and after it (until the last forward): runtime, harness, PostgreSQL, other. */
        double[] cpuIngest = new double[4], cpuAfter = new double[4];
        double afterS;

        double p(double q) {
            if (latNs.length == 0) {
                return Double.NaN;
            }
            int i = (int) Math.ceil(q / 100.0 * latNs.length) - 1;
            return latNs[Math.max(0, Math.min(latNs.length - 1, i))] / 1e6;
        }

        static double pct(double[] sorted, double q) {
            if (sorted.length == 0) {
                return Double.NaN;
            }
            int i = (int) Math.ceil(q / 100.0 * sorted.length) - 1;
            return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
        }

        static String cpu(double[] ms, double s, boolean pg) {
            double k = 1 / (s * 1000) * 100 / 2;
            return fmt("%.0f / %.0f / %s / %.0f", ms[0] * k, ms[1] * k, pg ? fmt("%.0f", ms[2] * k) : "-", ms[3] * k);
        }

        String ingestRow() {
            return fmt("| %s | %s | %d | %d + %d | %.0f | %.1f / %.1f / %.1f | %d | %d / %d%s | %d / %d%s | %d / %d / %d |", db, label, c, events,
                    redeliveries, ok / ingestS, p(50), p(99), latNs.length == 0 ? Double.NaN : latNs[latNs.length - 1] / 1e6, non200, dupTrue,
                    redeliveries, dupTrueOnFresh > 0 || dupFalseOnRedelivery > 0
                            ? fmt(" (**%d fresh answered duplicate, %d redeliveries answered not duplicate**)", dupTrueOnFresh, dupFalseOnRedelivery) : "",
                    dupFalse, events, dupFalse != events ? " **≠**" : "", forwarded, forwardedTwice, missing);
        }

        String processingRow() {
            boolean pg = db.equals("postgresql");
            return fmt("| %s | %s | %d | %.2f%s | %.0f | %.2f | %.2f | %.0f / %.0f | %.0f | %s | %s |", db, label, c, allS,
                    processingTimedOut ? " (timed out)" : "", forwarded / allS, ingestS, lagS, pct(answerToForwardMs, 50),
                    pct(answerToForwardMs, 99), (cpuIngest[0] + cpuAfter[0]) * 1000 / Math.max(1, events), cpu(cpuIngest, ingestS, pg),
                    afterS > 0.05 ? cpu(cpuAfter, afterS, pg) : "-");
        }
    }

    /** CPU snapshot (ms): machine, runtime, harness, PostgreSQL. */
    static long[] cpuSnapshot(RuntimeProcess rt, Postgres pg) {
        return new long[] {machineCpuMs(), cpuMs(rt.pid()), cpuMs(ProcessHandle.current().pid()), pg == null ? 0 : pg.cpuMs()};
    }

    /** runtime, harness, PostgreSQL, other (the machine minus those three) between two snapshots. */
    static double[] cpuSplit(long[] a, long[] b) {
        double rt = b[1] - a[1], h = b[2] - a[2], pg = Math.max(0, b[3] - a[3]);
        return new double[] {rt, h, pg, Math.max(0, b[0] - a[0] - rt - h - pg)};
    }

    /**
     * One run: `events` distinct events and events/10 redeliveries by c closed-loop callers (request k is a redelivery when
     * k % 11 == 10: the body of a random event whose 200 already came back), then the wait for every stored event's forward.
     */
    static IngestResult ingestRun(Options o, HttpClient client, RuntimeProcess rt, ForwardDouble fwd, Postgres pg, String db, String label,
            int run, int events, int c) throws Exception {
        int redeliveries = events / 10;
        int total = events + redeliveries;
        byte[][] bodies = new byte[events][];
        for (int i = 0; i < events; i++) {
            bodies[i] = ingestEvent(run, i);
        }
        ForwardTracker tracker = fwd.track(run, events);
        URI uri = URI.create(rt.url() + "/webhooks/wati/" + WEBHOOK_ACCOUNT + "/" + WEBHOOK_SECRET);
        AtomicInteger next = new AtomicInteger();
        java.util.concurrent.atomic.AtomicIntegerArray answered = new java.util.concurrent.atomic.AtomicIntegerArray(events);
        AtomicInteger answeredCount = new AtomicInteger();
        long[] answeredAt = new long[events];
        AtomicLong non200 = new AtomicLong(), dupTrue = new AtomicLong(), dupFalse = new AtomicLong(), dupTrueOnFresh = new AtomicLong(),
                dupFalseOnRedelivery = new AtomicLong(), redeliveriesSent = new AtomicLong();
        AtomicReference<String> firstNon200 = new AtomicReference<>();
        Longs[] lat = new Longs[c];
        CountDownLatch ready = new CountDownLatch(c);
        CountDownLatch go = new CountDownLatch(1);
        Thread[] threads = new Thread[c];
        for (int t = 0; t < c; t++) {
            Longs mine = lat[t] = new Longs();
            Random rnd = new Random(run * 1000L + t);
            threads[t] = new Thread(() -> {
                ready.countDown();
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int k; (k = next.getAndIncrement()) < total;) {
                    boolean redelivery = k % 11 == 10;
                    int i;
                    if (redelivery) {
                        int n;
                        while ((n = answeredCount.get()) == 0) {
                            java.util.concurrent.locks.LockSupport.parkNanos(100_000);
                        }
                        int slot = rnd.nextInt(n);
                        while ((i = answered.get(slot)) == 0) {
                            Thread.onSpinWait();
                        }
                        i--;
                        redeliveriesSent.incrementAndGet();
                    } else {
                        i = k - k / 11;
                    }
                    long s = System.nanoTime();
                    try {
                        HttpResponse<String> resp = client.send(webhookRequest(uri, bodies[i]), HttpResponse.BodyHandlers.ofString());
                        long e = System.nanoTime();
                        if (resp.statusCode() != 200) {
                            non200.incrementAndGet();
                            firstNon200.compareAndSet(null, "HTTP " + resp.statusCode() + " " + resp.body());
                            continue;
                        }
                        mine.add(e - s);
                        boolean dup = resp.body().contains("\"duplicate\":true");
                        (dup ? dupTrue : dupFalse).incrementAndGet();
                        if (redelivery && !dup) {
                            dupFalseOnRedelivery.incrementAndGet();
                        }
                        if (!redelivery) {
                            if (dup) {
                                dupTrueOnFresh.incrementAndGet();
                            }
                            answeredAt[i] = e;
                            answered.set(answeredCount.getAndIncrement(), i + 1);
                        }
                    } catch (Exception ex) {
                        non200.incrementAndGet();
                        firstNon200.compareAndSet(null, ex.toString());
                    }
                }
            }, "ingest-" + t);
            threads[t].setDaemon(true);
            threads[t].start();
        }
        ready.await();
        long[] cpu0 = cpuSnapshot(rt, pg);
        long t0 = System.nanoTime();
        go.countDown();
        for (Thread th : threads) {
            th.join();
        }
        long tEnd = System.nanoTime();
        long[] cpu1 = cpuSnapshot(rt, pg);
        // every stored event (duplicate=false) should reach the forward double once
        long deadline = tEnd + (long) (o.ingestWaitS * 1e9);
        while (tracker.distinct.get() < dupFalse.get() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        long tDone = System.nanoTime();
        long[] cpu2 = cpuSnapshot(rt, pg);
        boolean timedOut = tracker.distinct.get() < dupFalse.get();
        Thread.sleep((long) (o.ingestGraceS * 1000));

        IngestResult r = new IngestResult();
        r.db = db;
        r.label = label;
        r.c = c;
        r.events = events;
        r.redeliveries = (int) redeliveriesSent.get();
        r.non200 = non200.get();
        r.firstNon200 = firstNon200.get();
        r.dupTrue = dupTrue.get();
        r.dupFalse = dupFalse.get();
        r.dupTrueOnFresh = dupTrueOnFresh.get();
        r.dupFalseOnRedelivery = dupFalseOnRedelivery.get();
        int n = 0;
        for (Longs l : lat) {
            n += l.n;
        }
        r.latNs = new long[n];
        int pos = 0;
        for (Longs l : lat) {
            System.arraycopy(l.a, 0, r.latNs, pos, l.n);
            pos += l.n;
        }
        Arrays.sort(r.latNs);
        r.ok = n;
        r.ingestS = (tEnd - t0) / 1e9;
        long last = tracker.last.get();
        r.allS = ((timedOut || last == 0 ? tDone : last) - t0) / 1e9;
        r.lagS = ((timedOut || last == 0 ? tDone : last) - tEnd) / 1e9;
        r.processingTimedOut = timedOut;
        r.forwarded = tracker.distinct.get();
        r.forwardsTotal = tracker.total.get();
        int twice = 0;
        List<Double> lags = new ArrayList<>();
        for (int i = 0; i < events; i++) {
            int k = tracker.count.get(i);
            if (k > 1) {
                twice++;
            }
            if (k > 0 && answeredAt[i] > 0) {
                lags.add((tracker.firstAt.get(i) - answeredAt[i]) / 1e6);
            }
        }
        r.forwardedTwice = twice;
        r.missing = events - r.forwarded;
        r.answerToForwardMs = lags.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        r.cpuIngest = cpuSplit(cpu0, cpu1);
        r.cpuAfter = cpuSplit(cpu1, cpu2);
        r.afterS = (tDone - tEnd) / 1e9;
        log(fmt("ingest %-10s %-8s c=%-2d %d+%d: %.0f answered/s, p50 %.1f p99 %.1f max %.1f ms, non-200 %d, duplicate=true %d, stored %d; "
                + "forwarded %d (twice %d, missing %d) %.2f s after the first event = %.0f/s, lag %.2f s%s; cpu ingest rt %.0f h %.0f pg %.0f other %.0f ms",
                db, label, c, events, r.redeliveries, r.ok / r.ingestS, r.p(50), r.p(99), n == 0 ? 0 : r.latNs[n - 1] / 1e6, r.non200, r.dupTrue,
                r.dupFalse, r.forwarded, r.forwardedTwice, r.missing, r.allS, r.forwarded / r.allS, r.lagS, timedOut ? " (TIMED OUT)" : "",
                r.cpuIngest[0], r.cpuIngest[1], r.cpuIngest[2], r.cpuIngest[3]));
        if (r.firstNon200 != null) {
            log("  first non-200: " + abbreviate(r.firstNon200, 300));
        }
        return r;
    }

    /** Forwards per event of one run, and when the first of each and the last of all arrived (System.nanoTime()). */
    static final class ForwardTracker {
        final java.util.concurrent.atomic.AtomicIntegerArray count;
        final java.util.concurrent.atomic.AtomicLongArray firstAt;
        final AtomicInteger distinct = new AtomicInteger();
        final AtomicLong total = new AtomicLong();
        final AtomicLong last = new AtomicLong();

        ForwardTracker(int events) {
            count = new java.util.concurrent.atomic.AtomicIntegerArray(events);
            firstAt = new java.util.concurrent.atomic.AtomicLongArray(events);
        }

        void arrived(int i, long now) {
            total.incrementAndGet();
            if (count.getAndIncrement(i) == 0) {
                firstAt.set(i, now);
                distinct.incrementAndGet();
            }
            last.accumulateAndGet(now, Math::max);
        }
    }

    /**
     * wati.events.forward-url's double (a CRM's webhook trigger): a Vert.x server on 127.0.0.1, one event loop, 200 to every
     * request; each body's "id" ("ev{run}-{i}") is counted for its run.
     */
    static final class ForwardDouble implements AutoCloseable {
        static final Pattern ID = Pattern.compile("\"id\":\"ev(\\d+)-(\\d+)\"");
        final io.vertx.core.Vertx vertx = io.vertx.core.Vertx.vertx(new io.vertx.core.VertxOptions().setEventLoopPoolSize(1));
        final io.vertx.core.http.HttpServer server;
        final Map<Integer, ForwardTracker> runs = new java.util.concurrent.ConcurrentHashMap<>();
        final AtomicLong stray = new AtomicLong();
        final AtomicReference<String> firstStray = new AtomicReference<>();

        ForwardDouble() throws Exception {
            server = vertx.createHttpServer(new io.vertx.core.http.HttpServerOptions().setTcpNoDelay(true).setIdleTimeout(0))
                    .requestHandler(req -> req.body().onComplete(b -> {
                        long now = System.nanoTime();
                        String body = b.succeeded() ? b.result().toString(StandardCharsets.UTF_8) : "";
                        Matcher m = ID.matcher(body);
                        ForwardTracker t = m.find() ? runs.get(Integer.parseInt(m.group(1))) : null;
                        int i = t == null ? -1 : Integer.parseInt(m.group(2));
                        if (t != null && i < t.count.length()) {
                            t.arrived(i, now);
                        } else {
                            stray.incrementAndGet();
                            firstStray.compareAndSet(null, body);
                        }
                        req.response().end();
                    }))
                    .listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }

        ForwardTracker track(int run, int events) {
            ForwardTracker t = new ForwardTracker(events);
            runs.put(run, t);
            return t;
        }

        String url() {
            return "http://127.0.0.1:" + server.actualPort();
        }

        @Override
        public void close() {
            vertx.close();
        }
    }

    /** wati_events by state in the H2 file the runtime used (read after it stopped). */
    static String h2EventStates(Path db) {
        try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:h2:file:" + db, "sa", "")) {
            return eventStates(c);
        } catch (Exception e) {
            return "n/a (" + abbreviate(e.toString(), 200) + ")";
        }
    }

    static String eventStates(java.sql.Connection c) throws java.sql.SQLException {
        StringBuilder sb = new StringBuilder();
        try (var s = c.createStatement(); var rs = s.executeQuery("SELECT state, COUNT(*), COUNT(DISTINCT dedup_key) FROM wati_events "
                + "WHERE wati_id LIKE 'ev%' GROUP BY state ORDER BY state")) {
            while (rs.next()) {
                sb.append(sb.length() == 0 ? "" : ", ").append(rs.getString(1)).append(" ").append(rs.getLong(2))
                        .append(" rows (").append(rs.getLong(3)).append(" distinct keys)");
            }
        }
        return sb.length() == 0 ? "no rows" : sb.toString();
    }

    /**
     * A throwaway PostgreSQL cluster (initdb + pg_ctl, server binaries of the Debian package postgresql-15) on 127.0.0.1, with
     * PostgreSQL's default settings (fsync and synchronous_commit on); as root, owned by and run as the postgres user.
     */
    static final class Postgres implements AutoCloseable {
        final Path dir;
        final Path bin;
        final int port;
        final boolean asPostgres;
        boolean stopped;

        Postgres(Path dir, Path bin, int port, boolean asPostgres) {
            this.dir = dir;
            this.bin = bin;
            this.port = port;
            this.asPostgres = asPostgres;
        }

        static Path binDir() throws IOException {
            String configured = System.getenv("PG_BIN");
            if (configured != null && !configured.isBlank()) {
                return Files.isExecutable(Path.of(configured, "initdb")) ? Path.of(configured) : null;
            }
            Path root = Path.of("/usr/lib/postgresql");
            if (!Files.isDirectory(root)) {
                return null;
            }
            try (var versions = Files.list(root)) {
                return versions.map(v -> v.resolve("bin")).filter(b -> Files.isExecutable(b.resolve("initdb")))
                        .max(Comparator.naturalOrder()).orElse(null);
            }
        }

        static Postgres start(Path bin) throws Exception {
            return start(bin, "");
        }

        /** As above, with more server options for pg_ctl -o (e.g. "-c shared_preload_libraries=pg_stat_statements"). */
        static Postgres start(Path bin, String serverOptions) throws Exception {
            boolean root = "root".equals(System.getProperty("user.name"));
            // not under the work dir: the postgres user must be able to reach it
            Path dir = Files.createTempDirectory("wati-bench-pg-");
            Postgres pg = new Postgres(dir, bin, freePort(), root);
            if (root) {
                run(List.of("chown", "postgres:postgres", dir.toString()));
            }
            long t0 = System.nanoTime();
            // --no-sync: initdb does not fsync the files it creates; the server itself runs with fsync on
            pg.pg(List.of(bin.resolve("initdb").toString(), "-D", dir.resolve("data").toString(), "-U", "wati", "--auth=trust", "-E", "UTF8",
                    "--no-sync"));
            pg.pg(List.of(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-w", "-t", "60", "-l",
                    dir.resolve("server.log").toString(), "-o", "-p " + pg.port + " -k " + dir + " -c listen_addresses=127.0.0.1"
                            + (serverOptions.isEmpty() ? "" : " " + serverOptions), "start"));
            log(fmt("postgresql %s on 127.0.0.1:%d, data %s (%.1f s)", bin, pg.port, dir.resolve("data"), (System.nanoTime() - t0) / 1e9));
            return pg;
        }

        String jdbcUrl() {
            return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
        }

        java.sql.Connection connect() throws java.sql.SQLException {
            return java.sql.DriverManager.getConnection(jdbcUrl(), "wati", "");
        }

        /** Version and the settings that decide what a commit costs. */
        String settings() {
            StringBuilder sb = new StringBuilder();
            try (java.sql.Connection c = connect(); var s = c.createStatement()) {
                for (String name : new String[] {"server_version", "fsync", "synchronous_commit", "wal_sync_method", "full_page_writes",
                        "shared_buffers", "max_connections"}) {
                    try (var rs = s.executeQuery("SHOW " + name)) {
                        rs.next();
                        sb.append(sb.length() == 0 ? "" : ", ").append(name).append(" = ").append(rs.getString(1));
                    }
                }
            } catch (Exception e) {
                sb.append("settings n/a (").append(abbreviate(e.toString(), 200)).append(")");
            }
            return sb.toString();
        }

        void execute(String... statements) throws java.sql.SQLException {
            try (java.sql.Connection c = connect(); var s = c.createStatement()) {
                for (String sql : statements) {
                    s.execute(sql);
                }
            }
        }

        /** The statements with the most execution time since the last pg_stat_statements_reset(), one line each. */
        String topStatements(int n) {
            StringBuilder sb = new StringBuilder(fmt("%9s %9s %10s %9s  %s%n", "total ms", "calls", "rows", "ms/call", "statement"));
            try (java.sql.Connection c = connect(); var s = c.prepareStatement("SELECT query, calls, total_exec_time, rows FROM "
                    + "pg_stat_statements ORDER BY total_exec_time DESC LIMIT ?")) {
                s.setInt(1, n);
                try (var rs = s.executeQuery()) {
                    while (rs.next()) {
                        sb.append(fmt("%9.0f %9d %10d %9.2f  %s%n", rs.getDouble(3), rs.getLong(2), rs.getLong(4),
                                rs.getDouble(3) / Math.max(1, rs.getLong(2)), abbreviate(rs.getString(1).replaceAll("\\s+", " "), 150)));
                    }
                }
            } catch (Exception e) {
                sb.append("n/a (").append(abbreviate(e.toString(), 200)).append(")\n");
            }
            return sb.toString();
        }

        String eventStates() {
            try (java.sql.Connection c = connect()) {
                return Bench.eventStates(c);
            } catch (Exception e) {
                return "n/a (" + abbreviate(e.toString(), 200) + ")";
            }
        }

        /** CPU ms of the postmaster and its current children (the runtime's pooled connections' backends live through a run). */
        long cpuMs() {
            try {
                long pid = Long.parseLong(Files.readAllLines(dir.resolve("data/postmaster.pid")).get(0).trim());
                long sum = Bench.cpuMs(pid);
                for (ProcessHandle h : ProcessHandle.of(pid).map(p -> p.descendants().toList()).orElse(List.of())) {
                    sum += Bench.cpuMs(h.pid());
                }
                return sum;
            } catch (Exception e) {
                return 0;
            }
        }

        void pg(List<String> command) throws IOException, InterruptedException {
            List<String> full = new ArrayList<>();
            if (asPostgres) {
                full.addAll(List.of("runuser", "-u", "postgres", "--"));
            }
            full.addAll(command);
            run(full);
        }

        static void run(List<String> command) throws IOException, InterruptedException {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException("failed: " + String.join(" ", command) + "\n" + out);
            }
        }

        /** pg_ctl stop (fast: connections ended, a clean shutdown checkpoint), then the folder is removed. */
        @Override
        public synchronized void close() {
            if (stopped) {
                return;
            }
            stopped = true;
            try {
                pg(List.of(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-m", "fast", "-w", "-t", "60", "stop"));
            } catch (Exception e) {
                log("pg_ctl stop failed: " + abbreviate(e.toString(), 300));
            }
            try (var files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                // best effort
            }
        }
    }

    // ------------------------------------------------------------------------------- campaign: bulk template campaigns (#14)
    static final String CAMPAIGN_ACCOUNT = "main";
    static final long CAMPAIGN_NUMBER_BASE = 27_800_000_000L;
    static final long CAMPAIGN_RUN_SPAN = 10_000_000L;

    /**
     * Bulk template campaigns (#14): per database one setup, (a) H2: one runtime, (b) PostgreSQL: two runtimes (instance ids
     * bench-a and bench-b, the same wati.secret-key) on one throwaway cluster, both as shipped (8 campaign workers, poll every
     * 200 ms, 1000 receivers per sendTemplateMessages call) except the account's rate (wati.throttle.accounts.main.per-second,
     * --campaign-rate). Each campaign: N recipients with 2 parameters each POSTed to the first runtime; the time to its 202
     * (everything stored), then until GET /api/v1/campaigns/{id} says finished (every outcome recorded), the calls the double
     * saw (per instance: each instance's account endpoint has its own path prefix), and every number counted, so a receiver
     * sent twice or never is seen. Informational: no thresholds (the goal, >= 1000 recipients/s, is printed beside the figure).
     */
    static void campaignSection(Options o, HttpClient client) throws Exception {
        log("== campaign: bulk template campaigns, " + o.campaignRecipients + " recipients, databases " + o.campaignDbs
                + (o.campaignWarm > 0 ? ", warm-up " + o.campaignWarm : ""));
        List<CampaignResult> results = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        List<String> profiles = new ArrayList<>();
        int run = 0;
        try (CampaignDouble wati = new CampaignDouble()) {
            for (String db : o.campaignDbs) {
                Postgres pg = null;
                List<RuntimeProcess> rts = new ArrayList<>();
                try {
                    List<String> common = new ArrayList<>(o.runtimeOpts);
                    common.addAll(List.of("-Dwati.accounts." + CAMPAIGN_ACCOUNT + ".token=" + TOKEN,
                            "-Dwati.throttle.accounts." + CAMPAIGN_ACCOUNT + ".per-second=" + o.campaignRate));
                    List<String> instances;
                    if (db.equals("postgresql")) {
                        Path bin = Postgres.binDir();
                        if (bin == null) {
                            notes.add("PostgreSQL: not measured, no server binaries (initdb, pg_ctl) under /usr/lib/postgresql or PG_BIN");
                            continue;
                        }
                        pg = Postgres.start(bin, o.campaignProfile ? "-c shared_preload_libraries=pg_stat_statements" : "");
                        CLEANUP.add(pg);
                        notes.add("PostgreSQL: " + pg.settings() + (o.campaignProfile ? ", pg_stat_statements loaded" : ""));
                        byte[] key = new byte[32];
                        new java.security.SecureRandom().nextBytes(key);
                        common.addAll(List.of("-Dwati.db.url=" + pg.jdbcUrl(), "-Dwati.db.user=wati",
                                "-Dwati.secret-key=" + java.util.Base64.getEncoder().encodeToString(key)));
                        instances = List.of("a", "b");
                    } else if (db.equals("h2")) {
                        instances = List.of("a");
                    } else {
                        throw new IllegalArgumentException("--campaign-db: h2 or postgresql, not " + db);
                    }
                    Path jfc = o.campaignProfile ? profileJfc(o) : null;
                    for (String inst : instances) {
                        List<String> opts = new ArrayList<>(common);
                        opts.add("-Dwati.accounts." + CAMPAIGN_ACCOUNT + ".endpoint=" + wati.url() + "/" + inst + "/123");
                        opts.add("-Dwati.instance-id=bench-" + inst);
                        if (jfc != null && inst.equals("a")) {
                            opts.add("-XX:StartFlightRecording=name=boot,settings=" + jfc);
                        }
                        // started together, as a deployment would (Flyway migrates under PostgreSQL's advisory lock: one does it)
                        rts.add(RuntimeProcess.start(o, "campaign-" + db + "-" + inst, opts, null, "runtime.log", false));
                    }
                    for (RuntimeProcess rt : rts) {
                        rt.awaitReady();
                    }
                    if (o.campaignWarm > 0) {
                        results.add(campaignRun(o, client, rts, wati, pg, db, "warm-up", ++run, o.campaignWarm));
                    }
                    if (jfc != null) {
                        jcmd(rts.get(0).pid(), "JFR.stop", "name=boot");
                        jcmd(rts.get(0).pid(), "JFR.start", "name=bench", "settings=" + jfc);
                        if (pg != null) {
                            pg.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements", "SELECT pg_stat_statements_reset()");
                        }
                    }
                    CampaignResult measured = campaignRun(o, client, rts, wati, pg, db, "measured", ++run, o.campaignRecipients);
                    results.add(measured);
                    if (jfc != null) {
                        Path jfr = o.work.resolve("campaign-" + db + "-a.jfr");
                        jcmd(rts.get(0).pid(), "JFR.stop", "name=bench", "filename=" + jfr);
                        profiles.add("### JFR of runtime a (" + db + ", measured campaign; 2 ms Java sampling, started at launch, a fresh "
                                + "recording over the measured campaign only) — " + jfr + "\n\n```\n" + analyzeJfr(jfr).stripTrailing() + "\n"
                                + campaignSteps(jfr).stripTrailing() + "\n```\n");
                        if (pg != null) {
                            profiles.add("### PostgreSQL statements over the measured campaign (pg_stat_statements, both instances; "
                                    + "execution time only, a COMMIT's time is its WAL flush)\n\n```\n" + pg.topStatements(14) + "```\n");
                        }
                    }
                    if (pg != null) {
                        notes.add("PostgreSQL after the runs: " + campaignTables(pg::connect));
                    }
                    for (RuntimeProcess rt : rts) {
                        rt.close();
                    }
                    if (pg == null) {
                        Path file = rts.get(0).dir.resolve("data/db");
                        Connect h2 = () -> java.sql.DriverManager.getConnection("jdbc:h2:file:" + file, "sa", "");
                        notes.add("H2 after the runs: " + campaignTables(h2));
                        for (CampaignResult r : results) {
                            if (r.db.equals(db)) {
                                r.messageRows = messageRows(h2, r.run);
                            }
                        }
                    }
                    for (RuntimeProcess rt : rts) {
                        List<String> warns = unexpectedWarnings(rt.log);
                        if (!warns.isEmpty()) {
                            notes.add(fmt("%s: %d WARN/ERROR lines in %s (first: `%s`)", rt.dir.getFileName(), warns.size(), rt.log,
                                    abbreviate(warns.get(0), 240)));
                        }
                    }
                } finally {
                    for (RuntimeProcess rt : rts) {
                        rt.close();
                    }
                    if (pg != null) {
                        pg.close();
                    }
                }
            }
            if (wati.stray.get() > 0) {
                notes.add("Receivers of no known campaign run: " + wati.stray.get());
            }
        }
        md("## Campaigns: bulk sendTemplateMessages (#14)");
        md("");
        md(fmt("`POST /api/v1/campaigns` (JSON, mode bulk, account `%s`, N recipients with distinct numbers and 2 parameters each, ~87 bytes "
                + "per recipient) to "
                + "runtime a, then `GET /api/v1/campaigns/{id}` every 2 s until the double has seen every receiver, every 50 ms after "
                + "that, until `status` is `finished` (every batch done: each receiver's outcome and its message-log row written). The runtimes "
                + "are as shipped (8 campaign workers, poll 200 ms, 1000 receivers per call, lease 5 m) with the account's rate at %s per "
                + "second (one budget for both instances on PostgreSQL, kept by bucket4j-postgresql). The WATI double (Vert.x, one event "
                + "loop, in the harness JVM) answers every sendTemplateMessages at once with `{\"result\":true,\"errors\":{\"error\":false,"
                + "\"invalidWhatsappNumbers\":[],\"invalidCustomParameters\":[]}}` and counts each receiver's number; each instance's "
                + "account endpoint has its own path prefix, so calls are attributed. H2 = one runtime on the default embedded file "
                + "database; PostgreSQL = two runtimes (instance ids bench-a, bench-b, the same wati.secret-key) on one throwaway "
                + "PostgreSQL with its defaults (fsync on). Goal stated by #14: >= 1000 recipients/s (not asserted). End to end = "
                + "recipients / (POST sent -> finished seen): storing, sending and every outcome recorded; the 202 comes once everything is "
                + "committed, but workers may start on the committed batches before the 202 leaves (the first WATI call column), so "
                + "202 -> finished alone can flatter. `rate_per_second` is the runtime's own (recorded outcomes / first send -> finished). Peak RSS = VmHWM of each runtime "
                + "process since its start (the JVM's defaults: no -Xmx, G1).", CAMPAIGN_ACCOUNT, o.campaignRate));
        md("");
        md("| database | instances | run | recipients | POST -> 202 s | POST -> first WATI call s | POST -> finished s | recipients/s: 202 -> finished | recipients/s: POST -> finished | runtime's rate_per_second (first send -> finished) | calls (per instance) | calls/s (first -> last call) | sent / failed / unknown / pending | doubled | lost | message-log rows | peak RSS MiB | CPU % POST -> finished: runtimes / harness / PostgreSQL / other | runtime CPU ms per 1000 recipients (POST / after the 202) |");
        md("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        for (CampaignResult r : results) {
            md(r.row());
        }
        md("");
        md(fmt("- Largest sendTemplateMessages call the double saw: %d receivers (wati.campaigns.bulk-size 1000); body of the measured "
                + "campaign %.1f MB.", results.stream().mapToLong(r -> r.maxPerCall).max().orElse(0),
                results.stream().mapToDouble(r -> r.bodyMb).max().orElse(0)));
        for (CampaignResult r : results) {
            if (r.problem != null) {
                md("**" + r.db + " " + r.label + "**: " + r.problem);
                md("");
            }
        }
        for (String n : notes) {
            md("- " + n);
        }
        md("");
        for (String p : profiles) {
            md(p);
        }
    }

    /**
     * Where the campaign's threads spent their samples: per thread group (the API's virtual workers, the campaign workers), the
     * innermost io.waticamel frame (method and line), so a JDBC statement shows as the line that runs it.
     */
    static String campaignSteps(Path jfr) throws IOException {
        Map<String, Map<String, Integer>> by = new java.util.TreeMap<>();
        Map<String, Integer> totals = new HashMap<>();
        for (RecordedEvent e : RecordingFile.readAllEvents(jfr)) {
            if (!e.getEventType().getName().equals("jdk.ExecutionSample") || e.getStackTrace() == null) {
                continue;
            }
            RecordedThread th = e.getThread("sampledThread");
            String group = threadGroup(th == null || th.getJavaName() == null ? "?" : th.getJavaName());
            if (!group.startsWith("campaign-worker") && !group.startsWith("vertx-virtual-worker")) {
                continue;
            }
            String key = "(no io.waticamel frame)";
            for (RecordedFrame f : e.getStackTrace().getFrames()) {
                String cls = f.getMethod().getType().getName();
                if (cls.startsWith("io.waticamel.")) {
                    key = cls.substring(cls.lastIndexOf('.') + 1) + "." + f.getMethod().getName() + ":" + f.getLineNumber();
                    break;
                }
            }
            by.computeIfAbsent(group, x -> new HashMap<>()).merge(key, 1, Integer::sum);
            totals.merge(group, 1, Integer::sum);
        }
        StringBuilder sb = new StringBuilder("campaign threads' samples by innermost io.waticamel frame (file:line):\n");
        by.forEach((group, m) -> {
            sb.append("  ").append(group).append(" (").append(totals.get(group)).append(" samples)\n");
            m.entrySet().stream().sorted((a, b) -> b.getValue() - a.getValue()).limit(10).forEach(en -> sb.append(
                    fmt("    %5.1f%%  %s%n", 100.0 * en.getValue() / totals.get(group), en.getKey())));
        });
        return sb.toString();
    }

    interface Connect {
        java.sql.Connection connect() throws java.sql.SQLException;
    }

    /** Row counts of the campaign tables and of the message log, by state. */
    static String campaignTables(Connect connect) {
        StringBuilder sb = new StringBuilder();
        try (java.sql.Connection c = connect.connect(); var s = c.createStatement()) {
            for (String q : new String[] {"SELECT status, COUNT(*) FROM campaigns GROUP BY status ORDER BY status",
                    "SELECT status, COUNT(*) FROM campaign_recipients GROUP BY status ORDER BY status",
                    "SELECT state, COUNT(*) FROM campaign_batches GROUP BY state ORDER BY state",
                    "SELECT status, COUNT(*) FROM messages GROUP BY status ORDER BY status"}) {
                String table = q.replaceAll("^.* FROM (\\w+) .*$", "$1");
                sb.append(sb.length() == 0 ? "" : "; ").append(table).append(":");
                try (var rs = s.executeQuery(q)) {
                    while (rs.next()) {
                        sb.append(" ").append(rs.getString(1)).append(" ").append(rs.getLong(2));
                    }
                }
            }
        } catch (Exception e) {
            sb.append(" n/a (").append(abbreviate(e.toString(), 200)).append(")");
        }
        return sb.toString();
    }

    /** Message-log rows of one campaign run (its template name), -1 when unknown. */
    static long messageRows(Connect connect, int run) {
        try (java.sql.Connection c = connect.connect(); var s = c.prepareStatement("SELECT COUNT(*) FROM messages WHERE template_name = ?")) {
            s.setString(1, "bench_offer_r" + run);
            try (var rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (Exception e) {
            log("message log count failed: " + abbreviate(e.toString(), 200));
            return -1;
        }
    }

    /** WARN and ERROR lines of a runtime log, except the two every bench runtime logs at start (private hosts allowed, generated key). */
    static List<String> unexpectedWarnings(Path p) {
        try (var lines = Files.lines(p)) {
            return lines.filter(l -> l.contains(" WARN ") || l.contains(" ERROR "))
                    .filter(l -> !l.contains("allow-private-hosts is on") && !l.contains("No wati.secret-key configured")).toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    /** Peak resident set size (VmHWM, KiB) of a live process, -1 when unknown. */
    static long peakRssKib(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (Exception e) {
            // gone, or no /proc
        }
        return -1;
    }

    static final class CampaignResult {
        String db, label, problem;
        int run, instances, recipients, status202 = -1;
        double bodyMb, postS, finishS;
        boolean timedOut;
        long calls, receivers, maxPerCall, doubled, lost, messageRows = -1;
        double callsS;
        Map<String, Long> callsByInstance = new java.util.TreeMap<>();
        long sent, failed, unknown, pending, skipped;
        String runtimeRate;
        long[] peakRssKib;
        double[] cpuAll = new double[4];
        double cpuPostRuntimeMs, cpuSendingRuntimeMs, firstCallS = -1;

        String row() {
            double all = postS + finishS;
            double k = 1 / (Math.max(0.001, all) * 1000) * 100 / 2;
            String rss = Arrays.stream(peakRssKib).mapToObj(v -> v < 0 ? "n/a" : fmt("%.0f", v / 1024.0)).collect(Collectors.joining(" / "));
            return fmt("| %s | %d | %s | %d | %.2f | %s | %s | %s | %s | %s | %d (%s) | %.1f | %d / %d / %d / %d | %s | %s | %s | %s | %.0f / %.0f / %s / %.0f | %.0f / %.0f |",
                    db, instances, label, recipients, postS, firstCallS < 0 ? "-" : fmt("%.2f", firstCallS),
                    timedOut ? fmt("> %.0f (timed out)", all) : fmt("%.2f", all), timedOut ? "-" : fmt("%.0f", recipients / finishS),
                    timedOut ? "-" : fmt("**%.0f**", recipients / all), runtimeRate, calls,
                    callsByInstance.entrySet().stream().map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", ")), callsS,
                    sent, failed, unknown, pending, doubled == 0 ? "0" : "**" + doubled + "**", lost == 0 ? "0" : "**" + lost + "**",
                    messageRows < 0 ? "n/a" : messageRows == recipients ? String.valueOf(messageRows) : "**" + messageRows + "**", rss,
                    cpuAll[0] * k, cpuAll[1] * k, db.equals("postgresql") ? fmt("%.0f", cpuAll[2] * k) : "-", cpuAll[3] * k,
                    cpuPostRuntimeMs * 1000 / Math.max(1, recipients), cpuSendingRuntimeMs * 1000 / Math.max(1, recipients));
        }
    }

    /** The campaign's JSON: recipient i has the number CAMPAIGN_NUMBER_BASE + run * CAMPAIGN_RUN_SPAN + i and 2 parameters. */
    static byte[] campaignBody(int run, int recipients) {
        StringBuilder sb = new StringBuilder(recipients * 90 + 200);
        sb.append("{\"account\":\"").append(CAMPAIGN_ACCOUNT).append("\",\"template_name\":\"bench_offer_r").append(run)
                .append("\",\"broadcast_name\":\"bench-").append(run).append("\",\"mode\":\"bulk\",\"recipients\":[");
        long base = CAMPAIGN_NUMBER_BASE + run * CAMPAIGN_RUN_SPAN;
        for (int i = 0; i < recipients; i++) {
            sb.append(i == 0 ? "" : ",").append("{\"whatsappNumber\":\"").append(base + i).append("\",\"parameters\":{\"name\":\"Client ")
                    .append(i).append("\",\"code\":\"C-").append(i).append("\"}}");
        }
        return sb.append("]}").toString().getBytes(StandardCharsets.UTF_8);
    }

    /** CPU snapshot (ms): machine, the runtimes together, harness, PostgreSQL. */
    static long[] cpuSnapshot(List<RuntimeProcess> rts, Postgres pg) {
        long rt = 0;
        for (RuntimeProcess r : rts) {
            rt += cpuMs(r.pid());
        }
        return new long[] {machineCpuMs(), rt, cpuMs(ProcessHandle.current().pid()), pg == null ? 0 : pg.cpuMs()};
    }

    static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    static CampaignResult campaignRun(Options o, HttpClient client, List<RuntimeProcess> rts, CampaignDouble wati, Postgres pg, String db,
            String label, int run, int recipients) throws Exception {
        CampaignResult r = new CampaignResult();
        r.db = db;
        r.label = label;
        r.run = run;
        r.instances = rts.size();
        r.recipients = recipients;
        byte[] body = campaignBody(run, recipients);
        r.bodyMb = body.length / 1e6;
        CampaignTracker tracker = wati.track(run, recipients);
        RuntimeProcess a = rts.get(0);
        long[] cpu0 = cpuSnapshot(rts, pg);
        long t0 = System.nanoTime();
        HttpResponse<String> accepted = client.send(HttpRequest.newBuilder(URI.create(a.url() + "/api/v1/campaigns"))
                .timeout(Duration.ofSeconds((long) Math.max(60, o.campaignWaitS / 2))).header("X-API-Key", API_KEY)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        long t202 = System.nanoTime();
        long[] cpu1 = cpuSnapshot(rts, pg);
        r.status202 = accepted.statusCode();
        r.postS = (t202 - t0) / 1e9;
        r.peakRssKib = new long[rts.size()];
        if (accepted.statusCode() != 202) {
            r.problem = "POST answered " + accepted.statusCode() + ": `" + abbreviate(accepted.body(), 300) + "`";
            log("campaign " + db + " " + label + ": " + r.problem);
            r.timedOut = true;
            return r;
        }
        String id = JSON.readTree(accepted.body()).path("id").asText();
        log(fmt("campaign %s %s: %d recipients (%.1f MB) stored in %.2f s, id %s", db, label, recipients, r.bodyMb, r.postS, id));
        HttpRequest status = HttpRequest.newBuilder(URI.create(a.url() + "/api/v1/campaigns/" + id)).timeout(Duration.ofSeconds(10))
                .header("X-API-Key", API_KEY).GET().build();
        long deadline = t202 + (long) (o.campaignWaitS * 1e9);
        long lastLog = t202;
        com.fasterxml.jackson.databind.JsonNode last = null;
        while (true) {
            boolean allSeen = tracker.receivers.get() >= recipients;
            long now = System.nanoTime();
            if (allSeen || now - lastLog >= 2_000_000_000L || now > deadline) {
                String seen;
                try {
                    HttpResponse<String> s = client.send(status, HttpResponse.BodyHandlers.ofString());
                    seen = "status answer " + s.statusCode();
                    if (s.statusCode() == 200) {
                        last = JSON.readTree(s.body());
                        String st = last.path("status").asText();
                        seen = "status " + st + ", sent " + last.path("sent").asLong() + ", pending " + last.path("pending").asLong();
                        if (!st.equals("running") && !st.equals("paused")) {
                            break;
                        }
                    }
                } catch (IOException e) {
                    seen = "status request failed: " + abbreviate(e.toString(), 120);
                }
                if (now - lastLog >= 2_000_000_000L) {
                    lastLog = now;
                    log(fmt("  %.0f s: %s; double saw %d calls, %d receivers", (now - t202) / 1e9, seen, tracker.calls.get(),
                            tracker.receivers.get()));
                }
            }
            if (System.nanoTime() > deadline) {
                r.timedOut = true;
                break;
            }
            Thread.sleep(allSeen ? 50 : 100);
        }
        long tDone = System.nanoTime();
        long[] cpu2 = cpuSnapshot(rts, pg);
        r.finishS = (tDone - t202) / 1e9;
        for (int i = 0; i < rts.size(); i++) {
            r.peakRssKib[i] = peakRssKib(rts.get(i).pid());
        }
        // a late second call of a batch would show here
        Thread.sleep((long) (o.campaignGraceS * 1000));
        if (last != null) {
            r.sent = last.path("sent").asLong();
            r.failed = last.path("failed").asLong();
            r.unknown = last.path("unknown").asLong();
            r.pending = last.path("pending").asLong();
            r.skipped = last.path("skipped").asLong();
            r.runtimeRate = last.path("rate_per_second").asText();
            if (!last.path("status").asText().equals("finished")) {
                r.problem = "status " + last.path("status").asText() + " at the end of the wait";
            }
        }
        if (r.timedOut) {
            r.problem = fmt("NOT finished within %.0f s (the double saw %d of %d receivers)", o.campaignWaitS, tracker.receivers.get(), recipients);
        }
        r.calls = tracker.calls.get();
        r.receivers = tracker.receivers.get();
        r.maxPerCall = tracker.maxPerCall.get();
        r.callsByInstance.putAll(tracker.byInstance.entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().get())));
        long first = tracker.firstAt.get(), lastCall = tracker.lastAt.get();
        r.callsS = r.calls <= 1 ? 0 : (r.calls - 1) / ((lastCall - first) / 1e9);
        for (int i = 0; i < recipients; i++) {
            int n = tracker.count.get(i);
            if (n == 0) {
                r.lost++;
            } else if (n > 1) {
                r.doubled++;
            }
        }
        double[] split = cpuSplit(cpu0, cpu2);
        r.cpuAll = split;
        r.firstCallS = first == 0 ? -1 : (first - t0) / 1e9;
        r.cpuPostRuntimeMs = cpu1[1] - cpu0[1];
        r.cpuSendingRuntimeMs = cpu2[1] - cpu1[1];
        if (pg != null) {
            r.messageRows = messageRows(pg::connect, run);
        }
        log(fmt("campaign %-10s %-8s %d recipients on %d instance(s): 202 after %.2f s, first call %.2f s after the POST, finished %.2f s after "
                + "the 202 = %.0f recipients/s (%.0f/s from the POST); %d calls (at most %d receivers) %s, %.1f calls/s; sent %d failed %d unknown %d pending %d; doubled %d, lost %d; runtime rate_per_second %s; "
                + "cpu ms rt %.0f h %.0f pg %.0f other %.0f ms%s", db, label, recipients, rts.size(), r.postS, r.firstCallS, r.finishS, recipients / r.finishS,
                recipients / (r.postS + r.finishS), r.calls, r.maxPerCall, r.callsByInstance, r.callsS, r.sent, r.failed, r.unknown, r.pending, r.doubled, r.lost,
                r.runtimeRate, split[0], split[1], split[2], split[3], r.timedOut ? " (TIMED OUT)" : ""));
        return r;
    }

    /** Receivers per number of one campaign run, calls per instance, and when the first and last call arrived. */
    static final class CampaignTracker {
        final java.util.concurrent.atomic.AtomicIntegerArray count;
        final AtomicLong calls = new AtomicLong(), receivers = new AtomicLong(), maxPerCall = new AtomicLong();
        final AtomicLong firstAt = new AtomicLong(), lastAt = new AtomicLong();
        final Map<String, AtomicLong> byInstance = new java.util.concurrent.ConcurrentHashMap<>();

        CampaignTracker(int recipients) {
            count = new java.util.concurrent.atomic.AtomicIntegerArray(recipients);
        }
    }

    /**
     * WATI's sendTemplateMessages for the campaign runs: a Vert.x server on 127.0.0.1, one event loop; every call is answered at
     * once with WATI's "all accepted" body. Each receiver's "whatsappNumber" is counted for its run (the run and index are
     * encoded in the number); the first path segment names the runtime instance that called.
     */
    static final class CampaignDouble implements AutoCloseable {
        static final io.vertx.core.buffer.Buffer OK = io.vertx.core.buffer.Buffer.buffer(
                "{\"result\":true,\"errors\":{\"error\":false,\"invalidWhatsappNumbers\":[],\"invalidCustomParameters\":[]}}");
        static final Pattern NUMBER = Pattern.compile("\"whatsappNumber\"\\s*:\\s*\"(\\d+)\"");
        /** getMessageTemplates: bench_offer_r0 .. r99, approved, with the parameters campaignBody gives (name, code). */
        static final io.vertx.core.buffer.Buffer CATALOGUE = io.vertx.core.buffer.Buffer.buffer(catalogue());
        final io.vertx.core.Vertx vertx = io.vertx.core.Vertx.vertx(new io.vertx.core.VertxOptions().setEventLoopPoolSize(1));
        final io.vertx.core.http.HttpServer server;
        final Map<Integer, CampaignTracker> runs = new java.util.concurrent.ConcurrentHashMap<>();
        final AtomicLong stray = new AtomicLong();

        CampaignDouble() throws Exception {
            server = vertx.createHttpServer(new io.vertx.core.http.HttpServerOptions().setTcpNoDelay(true).setIdleTimeout(0))
                    .requestHandler(req -> req.body().onComplete(b -> {
                        long now = System.nanoTime();
                        String path = req.path();
                        if (path.endsWith("/getMessageTemplates")) {
                            // the account's catalogue, so the campaign's template check runs as it would against WATI
                            req.response().putHeader("Content-Type", "application/json").end(CATALOGUE);
                            return;
                        }
                        if (path.endsWith("/sendTemplateMessages") && b.succeeded()) {
                            String instance = path.length() > 1 && path.indexOf('/', 1) > 0 ? path.substring(1, path.indexOf('/', 1)) : "?";
                            Matcher m = NUMBER.matcher(b.result().toString(StandardCharsets.UTF_8));
                            CampaignTracker t = null;
                            long n = 0;
                            while (m.find()) {
                                long number = Long.parseLong(m.group(1)) - CAMPAIGN_NUMBER_BASE;
                                CampaignTracker rt = number < 0 ? null : runs.get((int) (number / CAMPAIGN_RUN_SPAN));
                                int i = (int) (number % CAMPAIGN_RUN_SPAN);
                                if (rt != null && i < rt.count.length()) {
                                    rt.count.incrementAndGet(i);
                                    rt.receivers.incrementAndGet();
                                    t = rt;
                                    n++;
                                } else {
                                    stray.incrementAndGet();
                                }
                            }
                            if (t != null) {
                                t.calls.incrementAndGet();
                                t.maxPerCall.accumulateAndGet(n, Math::max);
                                t.firstAt.compareAndSet(0, now);
                                t.lastAt.accumulateAndGet(now, Math::max);
                                t.byInstance.computeIfAbsent(instance, x -> new AtomicLong()).incrementAndGet();
                            }
                        } else {
                            stray.incrementAndGet();
                        }
                        req.response().putHeader("Content-Type", "application/json").end(OK);
                    }))
                    .listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }

        static String catalogue() {
            StringBuilder sb = new StringBuilder("{\"result\":\"success\",\"messageTemplates\":[");
            for (int run = 0; run < 100; run++) {
                sb.append(run == 0 ? "" : ",").append("{\"elementName\":\"bench_offer_r").append(run).append("\",\"status\":\"APPROVED\","
                        + "\"language\":\"en\",\"category\":\"MARKETING\",\"customParams\":[{\"paramName\":\"name\"},{\"paramName\":\"code\"}]}");
            }
            return sb.append("],\"link\":{\"pageNumber\":1,\"pageSize\":100,\"total\":100}}").toString();
        }

        CampaignTracker track(int run, int recipients) {
            CampaignTracker t = new CampaignTracker(recipients);
            runs.put(run, t);
            return t;
        }

        String url() {
            return "http://127.0.0.1:" + server.actualPort();
        }

        @Override
        public void close() {
            vertx.close();
        }
    }

    // ------------------------------------------------------------------------------- variants
    static void variantsSection(Options o, HttpClient client, Wati instant, Wati delayed, String cs, Throughput base)
            throws Exception {
        log("== configuration variants");
        md("## Configuration variants (runtime side only, " + (int) o.variantWarmS + " s warm-up, " + o.variantMeasureS
                + " s per point; ratio against the direct figures of section 1)");
        md("");
        md("| variant | options (-D before -jar) | c=1 req/s (ratio) | c=8 req/s (ratio) | c=32 req/s (ratio) | c=32 p50/p99 ms | c=256 @100ms req/s (ratio) | c=256 p50/p99 ms | errors | runtime CPU µs/req c=32 | other processes' CPU % (max of the points) |");
        md("|---|---|---|---|---|---|---|---|---|---|---|");
        for (Variant v : o.variants) {
            log("variant " + v.name() + ": " + v.opts());
            Throughput t = new Throughput();
            RuntimeProcess rt = RuntimeProcess.start(o, "variant-" + v.name(), concat(o.runtimeOpts, v.opts()), cs);
            try {
                measureAll(o, client, rt, null, instant, delayed, t, o.variantWarmS, o.variantMeasureS, 1.5, o.variantMeasureS, false);
            } finally {
                rt.close();
            }
            StringBuilder sb = new StringBuilder("| " + v.name() + " | `" + (v.opts().isEmpty() ? "(as shipped)" : String.join(" ", v.opts())) + "` |");
            long errors = 0;
            for (String k : t.runtime.keySet()) {
                LoadResult r = t.runtime.get(k);
                errors += r.errors;
                sb.append(String.format(Locale.ROOT, " %.0f (%s) |", r.rps(),
                        base == null ? "n/a" : String.format(Locale.ROOT, "%.3f", r.rps() / base.direct.get(k).rps())));
                if (k.equals("a instant c=32") || k.equals("b 100ms")) {
                    sb.append(String.format(Locale.ROOT, " %.2f / %.2f |", r.p(50), r.p(99)));
                }
            }
            LoadResult c32 = t.runtime.get("a instant c=32");
            double other = t.runtime.values().stream().mapToDouble(LoadResult::otherPercent).max().orElse(0);
            sb.append(" ").append(errors).append(String.format(Locale.ROOT, " | %.0f | %.0f |", c32.runtimeCpuMs * 1000 / Math.max(1, c32.ok), other));
            md(sb.toString());
        }
        md("");
    }

    // ------------------------------------------------------------------------------- the runtime process
    static final class RuntimeProcess implements AutoCloseable {
        final Process process;
        final Path dir;
        final int port;
        final LocalTime startedAt;
        final Path log;
        final String javaVersion = javaVersion();
        double startMs;
        double stopMs = -1;
        double warmS;
        double warmJitRate;
        double startOtherPercent;
        /** The first, continuous warm-up load (per-second counts) of this process, if any. */
        LoadResult steadyRun;
        /** The readiness wait of a process launched without waiting (awaitReady()). */
        Call pending;

        RuntimeProcess(Process process, Path dir, int port, LocalTime startedAt, Path log) {
            this.process = process;
            this.dir = dir;
            this.port = port;
            this.startedAt = startedAt;
            this.log = log;
        }

        static RuntimeProcess start(Options o, String name, List<String> opts, String azureCs) throws Exception {
            return start(o, name, opts, azureCs, "runtime.log");
        }

        /**
         * java [opts] -jar wati-camel.jar in the working dir {work}/runtime-{name} (routes unpacked from the jar) with the data
         * dir {that}/data: fresh on the first start under a name, reused (an existing data folder) when the name was started before.
         */
        static RuntimeProcess start(Options o, String name, List<String> opts, String azureCs, String logName) throws Exception {
            return start(o, name, opts, azureCs, logName, true);
        }

        /** As above; with {@code wait} false it returns once the process is launched: awaitReady() waits for its health. */
        static RuntimeProcess start(Options o, String name, List<String> opts, String azureCs, String logName, boolean wait) throws Exception {
            Path dir = Files.createDirectories(o.work.resolve("runtime-" + name));
            Path data = dir.resolve("data");
            int port = freePort();
            List<String> cmd = new ArrayList<>(List.of(javaBin()));
            // measurements are unthrottled unless a section sets a rate (a later -D wins)
            cmd.add("-Dwati.throttle.per-second=0");
            cmd.addAll(opts);
            cmd.add("-Dwati.files.allow-private-hosts=true");
            cmd.add("-Dwati.data.dir=" + data);
            if (opts.stream().noneMatch(x -> x.startsWith("-Dwati.db.url="))) { // a section may bring its own database (ingest: PostgreSQL)
                cmd.add("-Dwati.db.url=jdbc:h2:file:" + data.resolve("db"));
            }
            if (azureCs != null) {
                cmd.add("-Dwati.azure.connection-string=" + azureCs);
            } else {
                // no media in this run: no Azurite dev service installing and starting beside the measurement
                cmd.add("-Dwati.azurite.prepare-at-start=false");
            }
            cmd.addAll(List.of("-jar", o.jar.toString()));
            Map<String, String> env = Map.of("HTTP_PORT", String.valueOf(port), "WATI_API_KEY", API_KEY);
            HttpRequest health = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/observe/health"))
                    .timeout(Duration.ofSeconds(2)).build();
            return launch("runtime " + name, cmd, env, dir, dir.resolve(logName), port, health, opts, wait);
        }

        /**
         * The plain Camel forwarder: Camel Main ({@code org.apache.camel.main.Main}, from the runtime jar on the class path)
         * with its own properties file (so the jar's application.properties and routes are not read) and one YAML route per
         * double: platform-http:/a (prefix) -> http://instant-double?bridgeEndpoint=true, /b -> the 100 ms double. Camel's
         * defaults otherwise (platform-http worker pool, camel-http connection pool). "Healthy" = a forwarded call answers 200.
         */
        static RuntimeProcess startForwarder(Options o, Wati instant, Wati delayed) throws Exception { // returns before it is ready: awaitReady()
            Path dir = Files.createDirectories(o.work.resolve("forwarder"));
            int port = freePort();
            Path routes = dir.resolve("forward.camel.yaml");
            Files.writeString(routes, ""
                    + "# bench forwarder: platform-http -> camel-http, Camel defaults (written by bench/Bench.java)\n"
                    + "- route:\n"
                    + "    id: forward-a\n"
                    + "    from:\n"
                    + "      uri: platform-http:/a?matchOnUriPrefix=true\n"
                    + "      steps:\n"
                    + "        - to: " + instant.url() + "?bridgeEndpoint=true\n"
                    + "- route:\n"
                    + "    id: forward-b\n"
                    + "    from:\n"
                    + "      uri: platform-http:/b?matchOnUriPrefix=true\n"
                    + "      steps:\n"
                    + "        - to: " + delayed.url() + "?bridgeEndpoint=true\n");
            Path props = dir.resolve("forwarder.properties");
            Files.writeString(props, ""
                    + "camel.main.name = bench-forwarder\n"
                    + "camel.main.routes-include-pattern = file:" + routes + "\n"
                    + "camel.server.enabled = true\n"
                    + "camel.server.host = 127.0.0.1\n"
                    + "camel.server.port = " + port + "\n");
            List<String> cmd = new ArrayList<>(List.of(javaBin()));
            cmd.addAll(o.forwarderOpts);
            cmd.add("-Dcamel.main.property-placeholder-location=file:" + props);
            cmd.addAll(List.of("-cp", o.jar.toString(), "org.apache.camel.main.Main"));
            HttpRequest probe = watiRequest("http://127.0.0.1:" + port + "/a");
            return launch("forwarder", cmd, Map.of(), dir, dir.resolve("forwarder.log"), port, probe, o.forwarderOpts, false);
        }

        static RuntimeProcess launch(String name, List<String> cmd, Map<String, String> env, Path dir, Path logFile, int port,
                HttpRequest ready, List<String> opts, boolean wait) throws Exception {
            ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(logFile.toFile());
            pb.environment().putAll(env);
            HttpClient health = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofMillis(500)).build();
            LocalTime wall = LocalTime.now();
            long all0 = machineCpuMs(), h0 = cpuMs(ProcessHandle.current().pid());
            Map<Long, Long> ours0 = oursCpu();
            long t0 = System.nanoTime();
            Process p = pb.start();
            RuntimeProcess rt = new RuntimeProcess(p, dir, port, wall, logFile);
            CLEANUP.add(rt);
            OURS.add(p.pid());
            rt.pending = () -> rt.awaitReady(name, health, ready, t0, all0, h0, ours0, opts);
            if (wait) {
                rt.awaitReady();
            }
            return rt;
        }

        /** Waits until the process that launch() started answers its readiness request with 200 (at most 90 s from launch). */
        void awaitReady() throws Exception {
            if (pending != null) {
                Call c = pending;
                pending = null;
                c.call();
            }
        }

        Resp awaitReady(String name, HttpClient health, HttpRequest ready, long t0, long all0, long h0, Map<Long, Long> ours0,
                List<String> opts) throws Exception {
            Process p = process;
            Path logFile = log;
            RuntimeProcess rt = this;
            long deadline = t0 + TimeUnit.SECONDS.toNanos(90);
            while (true) {
                if (!p.isAlive()) {
                    OURS.remove(p.pid());
                    throw new IOException(name + " exited (" + p.exitValue() + "), log " + logFile + ":\n" + tail(logFile, 30));
                }
                if (System.nanoTime() > deadline) {
                    rt.close();
                    throw new IOException(name + " not healthy within 90 s, log " + logFile);
                }
                try {
                    if (health.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                        break;
                    }
                } catch (IOException notYet) {
                    // not listening yet
                }
                Thread.sleep(5);
            }
            rt.startMs = (System.nanoTime() - t0) / 1e6;
            rt.startOtherPercent = Math.max(0, machineCpuMs() - all0 - cpuMs(p.pid()) - (cpuMs(ProcessHandle.current().pid()) - h0)
                    - oursDelta(ours0, null, 0)) / rt.startMs * 100 / 2;
            log(String.format(Locale.ROOT, "%s healthy after %.0f ms (pid %d, port %d)%s", name, rt.startMs, p.pid(), port,
                    opts.isEmpty() ? "" : " opts " + opts));
            return null;
        }

        String url() {
            return "http://127.0.0.1:" + port;
        }

        long pid() {
            return process.pid();
        }

        String camelStarted() throws IOException {
            try (var lines = Files.lines(log)) {
                return lines.filter(l -> l.contains(") started in ")).findFirst()
                        .map(l -> l.replaceAll("^.* - ", "")).orElse("(no 'started in' line)");
            }
        }

        /** Selected log lines with their offset from process start (log timestamps are HH:mm:ss.SSS wall time). */
        String milestones() throws IOException {
            Pattern ts = Pattern.compile("^(\\d\\d:\\d\\d:\\d\\d\\.\\d\\d\\d) .*? - (.*)$");
            StringBuilder sb = new StringBuilder();
            int n = 0;
            for (String line : Files.readAllLines(log)) {
                Matcher m = ts.matcher(line);
                if (!m.matches()) {
                    continue;
                }
                String msg = m.group(2);
                // one line per step: not the auto-configuration/placeholder summaries, not one line per route
                if (msg.startsWith(" ") || msg.contains("started and consuming from") || msg.contains("Flyway upgrade recommended")) {
                    continue;
                }
                long off = Duration.between(startedAt, LocalTime.parse(m.group(1))).toMillis();
                sb.append(String.format(Locale.ROOT, "%6d ms  %s%n", off, abbreviate(msg, 130)));
                if (msg.contains("started in") || ++n > 40) {
                    break;
                }
            }
            sb.append(String.format(Locale.ROOT, "%6.0f ms  GET /observe/health = 200 (seen by the harness)%n", startMs));
            return sb.toString();
        }

        /** SIGTERM (Camel's graceful shutdown), at most 25 s, then kill; stopMs = SIGTERM to exit. */
        @Override
        public void close() {
            if (!process.isAlive()) {
                OURS.remove(process.pid());
                return;
            }
            long t0 = System.nanoTime();
            process.destroy();
            try {
                if (!process.waitFor(25, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
            }
            stopMs = (System.nanoTime() - t0) / 1e6;
            OURS.remove(process.pid());
        }
    }

    /**
     * The java that runs the runtime and the forwarder: BENCH_JAVA (a java binary or a JDK home), else $JAVA_HOME/bin/java,
     * else the java running this harness.
     */
    static String javaBin() {
        for (String env : new String[] {"BENCH_JAVA", "JAVA_HOME"}) {
            String v = System.getenv(env);
            if (v == null || v.isBlank()) {
                continue;
            }
            Path p = Path.of(v);
            if (Files.isDirectory(p)) {
                p = p.resolve("bin/java");
            }
            if (!Files.isExecutable(p)) {
                throw new IllegalStateException(env + "=" + v + ": no executable java there");
            }
            return p.toAbsolutePath().toString();
        }
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** The JDK home of javaBin() (its bin/java's grandparent, symlinks resolved). */
    static Path targetJdkHome() {
        try {
            return Path.of(javaBin()).toRealPath().getParent().getParent();
        } catch (IOException e) {
            return Path.of(javaBin()).toAbsolutePath().getParent().getParent();
        }
    }

    /** jcmd of the runtime's JDK (attach and perf counters of the same version), else the one on the PATH. */
    static String jcmdBin() {
        Path j = targetJdkHome().resolve("bin/jcmd");
        return Files.isExecutable(j) ? j.toString() : "jcmd";
    }

    static String javaVersionCache;

    /** First line of `java -version` for javaBin() plus the path, e.g. `openjdk version "17.0.15" ... (/usr/lib/jvm/.../java)`. */
    static synchronized String javaVersion() {
        if (javaVersionCache == null) {
            try {
                Process p = new ProcessBuilder(javaBin(), "-version").redirectErrorStream(true).start();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                p.waitFor(30, TimeUnit.SECONDS);
                String[] lines = out.strip().split("\\R");
                javaVersionCache = (lines.length > 1 ? lines[1].trim() : lines[0].trim()) + " (" + javaBin() + ")";
            } catch (Exception e) {
                javaVersionCache = javaBin();
            }
        }
        return javaVersionCache;
    }

    // ------------------------------------------------------------------------------- the WATI double
    /**
     * JDK HttpServer double on 127.0.0.1: {"result":true} to every POST (after delayMs, scheduled, so no thread
     * waits), generated media on GET, and multipart uploads read and discarded (file part counted and hashed).
     * No logging per request.
     */
    interface Wati extends AutoCloseable {
        String url();

        @Override
        void close();
    }

    static final class WatiDouble implements Wati {
        static final byte[] OK = "{\"result\":true}".getBytes(StandardCharsets.UTF_8);
        final HttpServer server;
        final ExecutorService executor;
        final ScheduledExecutorService scheduler;
        final int delayMs;
        final AtomicLong requests = new AtomicLong();
        final AtomicLong lastUploadBytes = new AtomicLong();
        final AtomicLong lastUploadPartSize = new AtomicLong();
        final AtomicReference<String> lastUploadPartSha = new AtomicReference<>();

        WatiDouble(int delayMs, int threads) throws IOException {
            this.delayMs = delayMs;
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 4096);
            executor = Executors.newFixedThreadPool(threads, daemon("double-" + delayMs + "ms"));
            scheduler = Executors.newScheduledThreadPool(2, daemon("double-timer"));
            server.setExecutor(executor);
            server.createContext("/", this::handle);
            server.start();
        }

        @Override
        public String url() {
            return "http://127.0.0.1:" + server.getAddress().getPort();
        }

        void resetUploads() {
            lastUploadBytes.set(0);
            lastUploadPartSize.set(-1);
            lastUploadPartSha.set(null);
        }

        void handle(HttpExchange ex) throws IOException {
            requests.incrementAndGet();
            String method = ex.getRequestMethod();
            String path = ex.getRequestURI().getPath();
            if (method.equals("GET") && path.equals(MEDIA_PATH)) {
                stream(ex, "image/jpeg", new GeneratedStream(SEED_MEDIA, MEDIA_SIZE, null), MEDIA_SIZE);
                return;
            }
            if (method.equals("GET") && path.equals(PDF_PATH)) {
                stream(ex, "application/pdf", new GeneratedStream(SEED_PDF, PDF_SIZE, "%PDF-1.7\n"), PDF_SIZE);
                return;
            }
            if (path.startsWith("/api/v1/sendSessionFile/")) {
                readMultipart(ex);
            } else {
                try (InputStream in = ex.getRequestBody()) {
                    in.transferTo(OutputStream.nullOutputStream());
                }
            }
            if (delayMs > 0) {
                scheduler.schedule(() -> answer(ex), delayMs, TimeUnit.MILLISECONDS);
            } else {
                answer(ex);
            }
        }

        static void answer(HttpExchange ex) {
            try {
                ex.getResponseHeaders().set("Content-Type", "application/json");
                ex.sendResponseHeaders(200, OK.length);
                try (OutputStream out = ex.getResponseBody()) {
                    out.write(OK);
                }
            } catch (IOException e) {
                // the caller went away
            } finally {
                ex.close();
            }
        }

        static void stream(HttpExchange ex, String type, InputStream body, long size) throws IOException {
            try (ex; InputStream in = body) {
                ex.getRequestBody().transferTo(OutputStream.nullOutputStream());
                ex.getResponseHeaders().set("Content-Type", type);
                ex.sendResponseHeaders(200, size);
                try (OutputStream out = ex.getResponseBody()) {
                    byte[] b = new byte[1 << 20];
                    for (int n; (n = in.read(b)) > 0;) {
                        out.write(b, 0, n);
                    }
                }
            }
        }

        /** Counts all bytes; hashes the first part's content (between its header block and the next boundary). */
        void readMultipart(HttpExchange ex) throws IOException {
            String ct = ex.getRequestHeaders().getFirst("Content-Type");
            Matcher m = ct == null ? null : Pattern.compile("boundary=\"?([^\";]+)\"?").matcher(ct);
            byte[] delimiter = m != null && m.find() ? ("\r\n--" + m.group(1)).getBytes(StandardCharsets.US_ASCII) : null;
            long total = 0;
            try (InputStream in = ex.getRequestBody()) {
                MessageDigest md = MessageDigest.getInstance("SHA-256");
                ByteArrayOutputStream head = new ByteArrayOutputStream();
                // 1. part headers: up to and including the first CRLFCRLF
                int state = 0;
                int b;
                while (state < 4 && (b = in.read()) >= 0) {
                    total++;
                    head.write(b);
                    state = (b == '\r' && (state == 0 || state == 2)) || (b == '\n' && (state == 1 || state == 3)) ? state + 1 : (b == '\r' ? 1 : 0);
                }
                // 2. content until the delimiter: hold back delimiter.length bytes
                int hold = delimiter == null ? 0 : delimiter.length;
                byte[] buf = new byte[(1 << 16) + hold];
                int have = 0;
                long partSize = 0;
                boolean ended = false;
                for (int n; (n = in.read(buf, have, buf.length - have)) > 0;) {
                    total += n;
                    have += n;
                    if (ended) {
                        have = 0;
                        continue;
                    }
                    int idx = delimiter == null ? -1 : indexOf(buf, have, delimiter);
                    if (idx >= 0) {
                        md.update(buf, 0, idx);
                        partSize += idx;
                        ended = true;
                        have = 0;
                        continue;
                    }
                    int safe = have - hold;
                    if (safe > 0) {
                        md.update(buf, 0, safe);
                        partSize += safe;
                        System.arraycopy(buf, safe, buf, 0, have - safe);
                        have -= safe;
                    }
                }
                lastUploadBytes.set(total);
                lastUploadPartSize.set(ended ? partSize : -1);
                lastUploadPartSha.set(ended ? HexFormat.of().formatHex(md.digest()) : null);
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IOException(e);
            }
        }

        static int indexOf(byte[] a, int len, byte[] needle) {
            outer:
            for (int i = 0; i <= len - needle.length; i++) {
                for (int j = 0; j < needle.length; j++) {
                    if (a[i + j] != needle[j]) {
                        continue outer;
                    }
                }
                return i;
            }
            return -1;
        }

        @Override
        public void close() {
            server.stop(0);
            executor.shutdownNow();
            scheduler.shutdownNow();
        }
    }

    /** {"result":true} to every request from a Vert.x (Netty) server; the 100 ms answer by a timer. */
    static final class VertxDouble implements Wati {
        final io.vertx.core.Vertx vertx = io.vertx.core.Vertx.vertx(new io.vertx.core.VertxOptions().setEventLoopPoolSize(2));
        final io.vertx.core.http.HttpServer server;
        final io.vertx.core.buffer.Buffer ok = io.vertx.core.buffer.Buffer.buffer(WatiDouble.OK);

        VertxDouble(int delayMs) throws Exception {
            server = vertx.createHttpServer(new io.vertx.core.http.HttpServerOptions().setTcpNoDelay(true).setIdleTimeout(0))
                    .requestHandler(req -> req.end().onComplete(x -> {
                        Runnable answer = () -> req.response().putHeader("Content-Type", "application/json").end(ok);
                        if (delayMs > 0) {
                            vertx.setTimer(delayMs, id -> answer.run());
                        } else {
                            answer.run();
                        }
                    }))
                    .listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }

        @Override
        public String url() {
            return "http://127.0.0.1:" + server.actualPort();
        }

        @Override
        public void close() {
            vertx.close();
        }
    }

    // ------------------------------------------------------------------------------- Azurite
    static final class Azurite implements AutoCloseable {
        static final String VERSION = "3.37.0";
        static final String KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
        final Process process;
        final int port;

        Azurite(Process process, int port) {
            this.process = process;
            this.port = port;
        }

        static Azurite start(Path installDir, Path dataDir) throws Exception {
            Path exe = installDir.resolve("node_modules/.bin/azurite-blob");
            if (!Files.isExecutable(exe)) {
                log("installing azurite@" + VERSION + " into " + installDir);
                Files.createDirectories(installDir);
                Process npm = new ProcessBuilder("npm", "install", "--no-audit", "--no-fund", "--prefix", installDir.toString(),
                        "azurite@" + VERSION).redirectErrorStream(true).redirectOutput(installDir.resolve("npm-install.log").toFile()).start();
                if (!npm.waitFor(5, TimeUnit.MINUTES) || npm.exitValue() != 0) {
                    npm.destroyForcibly();
                    throw new IOException("npm install azurite failed, see " + installDir.resolve("npm-install.log"));
                }
            }
            Files.createDirectories(dataDir);
            int port = freePort();
            Process p = new ProcessBuilder(exe.toString(), "--blobHost", "127.0.0.1", "--blobPort", String.valueOf(port), "--location",
                    dataDir.toString(), "--silent", "--disableTelemetry", "--skipApiVersionCheck", "--loose")
                    .redirectErrorStream(true).redirectOutput(dataDir.resolve("azurite.log").toFile()).start();
            Azurite a = new Azurite(p, port);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!accepts(port)) {
                if (!p.isAlive() || System.nanoTime() > deadline) {
                    a.close();
                    throw new IOException("Azurite did not start, see " + dataDir.resolve("azurite.log"));
                }
                Thread.sleep(50);
            }
            log("azurite " + VERSION + " on 127.0.0.1:" + port + " (" + exe + ")");
            return a;
        }

        String connectionString() {
            return "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=" + KEY
                    + ";BlobEndpoint=http://127.0.0.1:" + port + "/devstoreaccount1;";
        }

        @Override
        public void close() {
            List<ProcessHandle> children = process.descendants().toList();
            process.destroy();
            try {
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
            }
            children.forEach(ProcessHandle::destroyForcibly);
        }
    }

    // ------------------------------------------------------------------------------- helpers
    static boolean accepts(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    static ThreadFactory daemon(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    static String tail(Path p, int lines) {
        try {
            List<String> all = Files.readAllLines(p);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no log)";
        }
    }

    static String abbreviate(String s, int n) {
        if (s == null) {
            return "";
        }
        s = s.replace('\n', ' ');
        return s.length() <= n ? s : s.substring(0, n) + "...";
    }

    static String machine() {
        long mem = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getTotalMemorySize();
        return String.format(Locale.ROOT, "%d cores (availableProcessors), %.1f GiB RAM, %s %s (%s), %s %s",
                Runtime.getRuntime().availableProcessors(), mem / 1073741824.0, System.getProperty("java.vm.name"),
                System.getProperty("java.runtime.version"), System.getProperty("java.vendor"), System.getProperty("os.name"),
                System.getProperty("os.version"));
    }

    static void log(String s) {
        OUT.println(LocalTime.now().format(DateTimeFormatter.ofPattern("HH:mm:ss")) + " " + s);
        OUT.flush();
    }

    static void md(String s) {
        REPORT.append(s).append('\n');
    }

    static synchronized void cleanupAll() {
        for (int i = CLEANUP.size() - 1; i >= 0; i--) {
            try {
                CLEANUP.get(i).close();
            } catch (Exception ignored) {
                // best effort
            }
        }
        CLEANUP.clear();
    }
}
