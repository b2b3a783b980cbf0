package io.waticamel.testing;

import java.io.StringWriter;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.Appender;
import org.apache.logging.log4j.core.Layout;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.WriterAppender;

/** What the runtime logs at INFO and above while open, through its own layout (secrets masked as in production). */
public final class CapturedLog implements AutoCloseable {

    private final StringWriter text = new StringWriter();
    private final String name = "captured-" + System.identityHashCode(this);

    public CapturedLog() {
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        Appender console = context.getConfiguration().getRootLogger().getAppenders().values().iterator().next();
        Appender capture = WriterAppender.newBuilder().setName(name).setTarget(text).setLayout((Layout<?>) console.getLayout()).build();
        capture.start();
        context.getConfiguration().addAppender(capture);
        context.getConfiguration().getRootLogger().addAppender(capture, Level.INFO, null);
        context.updateLoggers();
    }

    @Override
    public String toString() {
        return text.toString();
    }

    @Override
    public void close() {
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        context.getConfiguration().getRootLogger().removeAppender(name);
        context.updateLoggers();
    }
}
