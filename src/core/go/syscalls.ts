// The Go functions that enter the kernel: a stack holding one of them was in a
// system call (the syscall package, the runtime's internal wrappers, x/sys/unix).

const SYSCALL_FRAME = /^(syscall\.(Syscall6?|Syscall9|RawSyscall6?|syscall6?|rawsyscall|rawSyscallNoError)|internal\/runtime\/syscall(\/linux)?\.Syscall6|runtime\/internal\/syscall\.Syscall6|golang\.org\/x\/sys\/unix\.Syscall6?)$/;

export function isSyscallFrame(fn: string): boolean {
  return SYSCALL_FRAME.test(fn);
}
