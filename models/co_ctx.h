/* co_ctx.h: switching one thread between stacks, for the coroutines
 * model (coroutines.c).
 *
 * A context is a place to switch to: a running stack's, saved by
 * co_ctx_switch, or a new one co_ctx_make prepared on a stack of the
 * caller's, whose first switch-in calls fn(arg).  fn must never return:
 * it ends by switching away for good.  Nothing here allocates, makes a
 * syscall (on x86-64) or knows of sanitizers: the caller tells ASan of
 * each switch (__sanitizer_start_switch_fiber and _finish_).
 */
#ifndef IOSCOPE_CO_CTX_H
#define IOSCOPE_CO_CTX_H

#include <stddef.h>

/* The hand-written switch returns into another stack, which a shadow
 * stack (CET, -fcf-protection=return: __CET__ bit 2) would refuse; such a
 * build takes ucontext, whose glibc switches shadow stacks too. */
#if defined(__x86_64__) && !defined(CO_UCONTEXT) && !(defined(__CET__) && (__CET__ & 2))
#define CO_CTX_HAND 1
struct co_ctx {
	void *sp;                    /* all the rest is on its stack */
};
#else
#include <ucontext.h>
struct co_ctx {
	ucontext_t uc;
};
#endif

/* Prepare x to run fn(arg) on stack[0..size) (16-byte aligned at the
 * top, a guard below is the caller's).  Returns 0 or -errno. */
int co_ctx_make(struct co_ctx *x, char *stack, size_t size, void (*fn)(void *), void *arg);

/* Save the running context in from and continue to; returns when someone
 * switches back to from. */
void co_ctx_switch(struct co_ctx *from, const struct co_ctx *to);

#endif
