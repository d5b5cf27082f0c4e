package dev.glassbox.notebook.runtime;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * A seccomp filter that stops a kernel JVM from starting programs: {@code execve} and {@code fork}
 * fail with EPERM, while threads can still be created; so do the calls a Java program never needs
 * (ptrace, bpf, mount, unshare, io_uring, ... see {@link #UNNEEDED_X86_64}). The sandbox shows cells the JDK's own binaries
 * ({@code java}, {@code jshell}), and a child JVM would escape the kernel's -Xmx and, on a machine
 * without cgroups, any limit on memory or processes. Installed on every thread at start-up (TSYNC);
 * a filter cannot be removed, not even by native code a cell calls later.
 */
final class ProcessFilter {
    private record Arch(int audit, int seccomp, int cloneCall, int clone3Call, List<Integer> startProgram, List<Integer> unneeded) {}

    /**
     * Calls a Java program never needs and an attacker would want, by number (asm/unistd_64.h, asm-generic/unistd.h):
     * ptrace, bpf, perf_event_open, userfaultfd, io_uring_setup/enter/register, keyctl, add_key, request_key,
     * mount, umount2, pivot_root, unshare, setns, kexec_load, kexec_file_load, init_module, finit_module,
     * delete_module, process_vm_readv/writev, open_by_handle_at, and the new mount API (open_tree, move_mount,
     * fsopen, fsconfig, fsmount, fspick, mount_setattr).
     */
    private static final List<Integer> UNNEEDED_X86_64 = List.of(101, 321, 298, 323, 425, 426, 427, 250, 248, 249,
            165, 166, 155, 272, 308, 246, 320, 175, 313, 176, 310, 311, 304, 428, 429, 430, 431, 432, 433, 442);
    private static final List<Integer> UNNEEDED_AARCH64 = List.of(117, 280, 241, 282, 425, 426, 427, 219, 217, 218,
            40, 39, 41, 97, 268, 104, 294, 105, 273, 106, 270, 271, 265, 428, 429, 430, 431, 432, 433, 442);

    private static final Arch X86_64 = new Arch(0xC000003E, 317, 56, 435, List.of(59, 322, 57, 58), UNNEEDED_X86_64); // execve, execveat, fork, vfork
    private static final Arch AARCH64 = new Arch(0xC00000B7, 277, 220, 435, List.of(221, 281), UNNEEDED_AARCH64);      // execve, execveat

    // classic BPF, as in linux/filter.h and linux/seccomp.h
    private static final short LD_ABS = 0x20, JEQ = 0x15, JGE = 0x35, JSET = 0x45, RET = 0x06;
    private static final int ALLOW = 0x7fff0000, ERRNO = 0x00050000, EPERM = 1, ENOSYS = 38;
    private static final int NR = 0, ARCH = 4, ARG0 = 16;     // offsets in struct seccomp_data
    private static final int CLONE_THREAD = 0x00010000;
    private static final int X32_SYSCALL_BIT = 0x40000000;
    private static final int PR_SET_NO_NEW_PRIVS = 38, SECCOMP_SET_MODE_FILTER = 1, SECCOMP_FILTER_FLAG_TSYNC = 1;

    private ProcessFilter() {}

    /** One BPF instruction; {@code jt}/{@code jf} name a return (0 = next instruction). */
    private record Insn(short code, Ret jt, Ret jf, int k) {}

    private enum Ret { NEXT, ALLOW, DENY, NO_SUCH_CALL }

    /** Installs the filter on all threads of this JVM; returns null when it is in place, else why not. */
    static String install() {
        if (!System.getProperty("os.name").equals("Linux")) return "not Linux";
        Arch arch = switch (System.getProperty("os.arch")) {
            case "amd64", "x86_64" -> X86_64;
            case "aarch64" -> AARCH64;
            default -> null;
        };
        if (arch == null) return "no filter for " + System.getProperty("os.arch");
        List<Insn> program = program(arch);
        try (Arena arena = Arena.ofConfined()) {
            // struct sock_filter { u16 code; u8 jt; u8 jf; u32 k; }, struct sock_fprog { u16 len; sock_filter *filter; }
            MemorySegment filter = arena.allocate(8L * (program.size() + 3), 8);
            List<Insn> all = new ArrayList<>(program);
            all.add(new Insn(RET, Ret.NEXT, Ret.NEXT, ALLOW));
            all.add(new Insn(RET, Ret.NEXT, Ret.NEXT, ERRNO | EPERM));
            all.add(new Insn(RET, Ret.NEXT, Ret.NEXT, ERRNO | ENOSYS));
            for (int i = 0; i < all.size(); i++) {
                Insn insn = all.get(i);
                filter.set(JAVA_SHORT, 8L * i, insn.code());
                filter.set(JAVA_BYTE, 8L * i + 2, jump(i, insn.jt(), program.size()));
                filter.set(JAVA_BYTE, 8L * i + 3, jump(i, insn.jf(), program.size()));
                filter.set(JAVA_INT, 8L * i + 4, insn.k());
            }
            StructLayout fprog = MemoryLayout.structLayout(JAVA_SHORT.withName("len"),
                    MemoryLayout.paddingLayout(6), ADDRESS.withName("filter"));
            MemorySegment prog = arena.allocate(fprog);
            VarHandle len = fprog.varHandle(MemoryLayout.PathElement.groupElement("len"));
            VarHandle ptr = fprog.varHandle(MemoryLayout.PathElement.groupElement("filter"));
            len.set(prog, 0L, (short) all.size());
            ptr.set(prog, 0L, filter);

            Linker linker = Linker.nativeLinker();
            MethodHandle prctl = linker.downcallHandle(linker.defaultLookup().find("prctl").orElseThrow(),
                    FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG), Linker.Option.firstVariadicArg(1));
            MethodHandle syscall = linker.downcallHandle(linker.defaultLookup().find("syscall").orElseThrow(),
                    FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, ADDRESS), Linker.Option.firstVariadicArg(1));
            if ((int) prctl.invokeExact(PR_SET_NO_NEW_PRIVS, 1L, 0L, 0L, 0L) != 0) return "prctl(PR_SET_NO_NEW_PRIVS) failed";
            long result = (long) syscall.invokeExact((long) arch.seccomp(), (long) SECCOMP_SET_MODE_FILTER,
                    (long) SECCOMP_FILTER_FLAG_TSYNC, prog);
            return result == 0 ? null : "seccomp() returned " + result;
        } catch (Throwable e) {
            return e.toString();
        }
    }

    /**
     * Allows everything except: another ABI (i386, x32), starting a program (execve, execveat, fork,
     * vfork), the unneeded calls, and clone without CLONE_THREAD, which makes a process; clone3 says "no such call", so the C
     * library falls back to clone for threads, whose flags a filter can read.
     */
    private static List<Insn> program(Arch arch) {
        List<Insn> p = new ArrayList<>();
        p.add(new Insn(LD_ABS, Ret.NEXT, Ret.NEXT, ARCH));
        p.add(new Insn(JEQ, Ret.NEXT, Ret.DENY, arch.audit()));
        p.add(new Insn(LD_ABS, Ret.NEXT, Ret.NEXT, NR));
        p.add(new Insn(JGE, Ret.DENY, Ret.NEXT, X32_SYSCALL_BIT));
        for (int nr : arch.startProgram()) p.add(new Insn(JEQ, Ret.DENY, Ret.NEXT, nr));
        for (int nr : arch.unneeded()) p.add(new Insn(JEQ, Ret.DENY, Ret.NEXT, nr));
        p.add(new Insn(JEQ, Ret.NO_SUCH_CALL, Ret.NEXT, arch.clone3Call()));
        p.add(new Insn(JEQ, Ret.NEXT, Ret.ALLOW, arch.cloneCall()));
        p.add(new Insn(LD_ABS, Ret.NEXT, Ret.NEXT, ARG0));
        p.add(new Insn(JSET, Ret.ALLOW, Ret.DENY, CLONE_THREAD));
        return p;
    }

    /** The BPF jump offset from instruction {@code at} to a return placed after the {@code body} instructions. */
    private static byte jump(int at, Ret target, int body) {
        int index = switch (target) {
            case NEXT -> at + 1;
            case ALLOW -> body;
            case DENY -> body + 1;
            case NO_SUCH_CALL -> body + 2;
        };
        int offset = index - at - 1;
        assert offset >= 0 && offset < 256 : offset;
        return (byte) offset;
    }
}
