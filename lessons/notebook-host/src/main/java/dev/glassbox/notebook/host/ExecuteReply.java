package dev.glassbox.notebook.host;

import dev.glassbox.notebook.protocol.Output;
import java.util.List;

/**
 * The result of one cell.
 *
 * @param status         how the cell ended
 * @param executionCount the kernel's count after this cell (as Jupyter's In[n])
 * @param millis         wall-clock time from request to reply
 * @param outputs        every output, in order
 * @param restarted      true when the kernel was replaced during this cell, so earlier variables are gone
 * @param evalMicros     as the kernel measured it: wall-clock time from taking the cell to its end (0 when unknown)
 * @param cpuMicros      as the kernel measured it: CPU time of the whole kernel JVM meanwhile (0 when unknown)
 */
public record ExecuteReply(Status status, int executionCount, long millis, List<Output> outputs, boolean restarted,
                           long evalMicros, long cpuMicros) {

    public ExecuteReply(Status status, int executionCount, long millis, List<Output> outputs, boolean restarted) {
        this(status, executionCount, millis, outputs, restarted, 0, 0);
    }

    public enum Status {
        OK, ERROR, TIMEOUT, INTERRUPTED, RESTARTED, REJECTED;

        public String wire() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public ExecuteReply {
        outputs = List.copyOf(outputs);
    }

    /** The first error output, if any. */
    public java.util.Optional<Output.Error> error() {
        return outputs.stream().filter(Output.Error.class::isInstance).map(Output.Error.class::cast).findFirst();
    }
}
