/**
 * Loads async-profiler into a running JVM with the given options (jcmd's JVMTI.agent_load cannot pass options that
 * contain '='). Usage: {@code java Attach.java PID LIBRARY OPTIONS}.
 */
public final class Attach {
  public static void main(String[] args) throws Exception {
    var vm = com.sun.tools.attach.VirtualMachine.attach(args[0]);
    try {
      vm.loadAgentPath(args[1], args[2]);
    } finally {
      vm.detach();
    }
  }
}
