/* co_ctx.c: see co_ctx.h.
 *
 * Hand-rolled on x86-64 (a dozen instructions: the callee-saved
 * registers, the stack pointer, the FPU control words), ucontext's
 * makecontext and swapcontext elsewhere.  ucontext would do on every
 * architecture, but it also saves and restores the signal mask: each
 * swapcontext is an rt_sigprocmask syscall.  Measured with strace -c on
 * test_co_untraced_many (300 connections, one line each), the coroutines
 * model on ucontext made 1,803 rt_sigprocmask calls against the 740
 * recvfrom and 4 epoll_wait of the same run (17 with this switch, none of
 * them its own): the most frequent syscall of a server whose point is to
 * make few.  And ASan intercepts swapcontext with a warning ("doesn't
 * fully support makecontext/swapcontext") that make asan counts as a
 * report.  The hand-rolled switch makes no syscall, as libco's and
 * boost.context's do not.  Build with -DCO_UCONTEXT to try the other.
 */
#include <errno.h>
#include <stdint.h>

#include "models/co_ctx.h"

#ifdef CO_CTX_HAND
/* A context is its stack pointer; what it needs to go on is on that
 * stack, pushed by co_ctx__switch: the callee-saved registers of the
 * System V ABI and the two control words (MXCSR, x87), above them the
 * return address.  A new context's "return address" is co_ctx__start,
 * which calls r13(r12). */
void co_ctx__switch(struct co_ctx *from, const struct co_ctx *to);
void co_ctx__start(void);

#ifdef __CET__
#define CO_ENDBR "endbr64\n"
#else
#define CO_ENDBR ""
#endif

/* lesson: co-switch */
__asm__(".pushsection .text\n"
	".globl co_ctx__switch\n"
	".hidden co_ctx__switch\n"
	".type co_ctx__switch, @function\n"
	"co_ctx__switch:\n"
	CO_ENDBR
	"pushq %rbp\n"
	"pushq %rbx\n"
	"pushq %r12\n"
	"pushq %r13\n"
	"pushq %r14\n"
	"pushq %r15\n"
	"subq $8, %rsp\n"
	"stmxcsr (%rsp)\n"
	"fnstcw 4(%rsp)\n"
	"movq %rsp, (%rdi)\n"
	"movq (%rsi), %rsp\n"
	"ldmxcsr (%rsp)\n"
	"fldcw 4(%rsp)\n"
	"addq $8, %rsp\n"
	"popq %r15\n"
	"popq %r14\n"
	"popq %r13\n"
	"popq %r12\n"
	"popq %rbx\n"
	"popq %rbp\n"
	"ret\n"
	".size co_ctx__switch, .-co_ctx__switch\n"
	".globl co_ctx__start\n"
	".hidden co_ctx__start\n"
	".type co_ctx__start, @function\n"
	"co_ctx__start:\n"
	CO_ENDBR
	"movq %r12, %rdi\n"
	"callq *%r13\n"
	"ud2\n"
	".size co_ctx__start, .-co_ctx__start\n"
	".popsection\n");
/* lesson end */

/* The new context's stack, top down: two words of padding (the entry
 * must find %rsp 16-aligned before its call), co_ctx__start, then
 * rbp, rbx, r12 = arg, r13 = fn, r14, r15, and the default control words. */
int co_ctx_make(struct co_ctx *x, char *stack, size_t size, void (*fn)(void *), void *arg)
{
	uint64_t *top = (uint64_t *)(void *)(stack + (size & ~(size_t)15));
	uint64_t *sp = top - 10;

	sp[0] = 0x1f80 | ((uint64_t)0x037f << 32);   /* MXCSR, x87 control */
	sp[1] = 0;                                     /* r15 */
	sp[2] = 0;                                     /* r14 */
	sp[3] = (uint64_t)(uintptr_t)fn;               /* r13 */
	sp[4] = (uint64_t)(uintptr_t)arg;              /* r12 */
	sp[5] = 0;                                     /* rbx */
	sp[6] = 0;                                     /* rbp */
	sp[7] = (uint64_t)(uintptr_t)co_ctx__start;
	sp[8] = sp[9] = 0;
	x->sp = sp;
	return 0;
}

void co_ctx_switch(struct co_ctx *from, const struct co_ctx *to)
{
	co_ctx__switch(from, to);
}
#else
static __thread void (*entry)(void *);   /* the context runs on the thread that made it */

/* makecontext passes ints: the pointer comes in two halves. */
static void entry_main(unsigned lo, unsigned hi)
{
	entry((void *)(((uintptr_t)hi << 32) | lo));
}

int co_ctx_make(struct co_ctx *x, char *stack, size_t size, void (*fn)(void *), void *arg)
{
	uintptr_t ptr = (uintptr_t)arg;

	if (getcontext(&x->uc) != 0)
		return -errno;
	entry = fn;             /* one thread makes contexts */
	x->uc.uc_stack.ss_sp = stack;
	x->uc.uc_stack.ss_size = size;
	x->uc.uc_link = NULL;            /* the entry never returns */
	makecontext(&x->uc, (void (*)(void))entry_main, 2, (unsigned)ptr,
		    (unsigned)((uint64_t)ptr >> 32));
	return 0;
}

void co_ctx_switch(struct co_ctx *from, const struct co_ctx *to)
{
	swapcontext(&from->uc, &to->uc);
}
#endif
