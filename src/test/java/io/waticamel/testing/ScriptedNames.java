package io.waticamel.testing;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.net.spi.InetAddressResolver;
import java.net.spi.InetAddressResolverProvider;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * The test JVM's name resolution (a JDK resolver provider, META-INF/services): names ending in
 * {@code .rebind.test} answer what a test scripted, one answer per lookup, the last one repeated -
 * a DNS server that changes its answer between the runtime's check and its connection, or between
 * attempts; every other name goes to the system's resolver. The surefire JVM runs with
 * {@code -Djava.security.properties=src/test/resources/no-name-cache.security}, so no answer is cached.
 */
public final class ScriptedNames extends InetAddressResolverProvider {

    private static final String SUFFIX = ".rebind.test";
    private static final Map<String, Deque<InetAddress[]>> SCRIPTS = new ConcurrentHashMap<>();

    /**
     * {@code name} (ending in .rebind.test) answers these, one per lookup, the last one repeated;
     * an answer is comma-separated addresses, or "-" for a failed lookup (unknown host).
     */
    public static void script(String name, String... answers) {
        Deque<InetAddress[]> queue = new ArrayDeque<>();
        for (String answer : answers) {
            queue.add(answer.equals("-") ? new InetAddress[0]
                    : Stream.of(answer.split(",")).map(ScriptedNames::address).toArray(InetAddress[]::new));
        }
        SCRIPTS.put(name, queue);
    }

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal.strip());
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(literal, e);
        }
    }

    @Override
    public InetAddressResolver get(Configuration configuration) {
        InetAddressResolver system = configuration.builtinResolver();
        return new InetAddressResolver() {
            @Override
            public Stream<InetAddress> lookupByName(String host, LookupPolicy policy) throws UnknownHostException {
                if (!host.endsWith(SUFFIX)) {
                    return system.lookupByName(host, policy);
                }
                Deque<InetAddress[]> queue = SCRIPTS.get(host);
                if (queue == null) {
                    throw new UnknownHostException(host);
                }
                synchronized (queue) {
                    InetAddress[] answer = queue.size() > 1 ? queue.poll() : queue.peek();
                    if (answer.length == 0) {
                        throw new UnknownHostException(host);
                    }
                    return List.of(answer).stream();
                }
            }

            @Override
            public String lookupByAddress(byte[] address) throws UnknownHostException {
                return system.lookupByAddress(address);
            }
        };
    }

    @Override
    public String name() {
        return "wati-camel scripted test names";
    }
}
