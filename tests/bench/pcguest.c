// SPDX-License-Identifier: GPL-2.0
/*
 * pcguest: the guest of QEMU's postcopy runs in make bench
 * (tests/bench/qemu-anchor.py --postcopy), a multiboot kernel standing
 * in for kmig-vmm's writers inside a TCG QEMU:
 *
 *   qemu-system-x86_64 -accel tcg -machine pc -m 4096M -kernel pcguest.elf \
 *       -append "rand_mib=32 hot_pages=10485 rate=8000 seed=19 stall_us=20" \
 *       -debugcon file:LOG ...
 *
 * 32-bit protected mode, no paging, interrupts only from the PIT. It
 *
 * 1. writes rand_mib MiB of pseudo-random bytes after the hot set (the
 *    guest's non-zero data; the rest of its RAM stays zero);
 * 2. calibrates the TSC against the PIT (100 ticks of 1 ms) and prints
 *    "ready tsc_khz N" on the debug console (port 0xe9);
 * 3. writes forever, paced by the PIT at rate writes per second (a
 *    backlog of at most one second, as kmig-vmm's writers), each write
 *    to a random page of the hot_pages pages from 64 MiB up (the first
 *    pages a pass walks after the guest's code, as kmig-vmm's hot set is
 *    the first pages of its region): the
 *    page index, a generation and 32 words (kmig-vmm's vcpu_write_page()).
 *    Between two ticks it halts, so the vCPU thread sleeps as the writer
 *    threads of kmig-vmm do.
 *
 * Each write is timed with rdtsc. One slower than stall_us microseconds
 * (a page the destination QEMU did not have yet: the vCPU thread waited
 * in userfaultfd; or the host did not run the vCPU thread) is printed as
 * "s CYCLES"; once a second "w WRITES STALLS". The console of each QEMU
 * is its own file, so the destination's file holds the stalls of the
 * guest after the switch only.
 */
#include <stdint.h>

#define MB_MAGIC	0x1BADB002u
#define MB_FLAGS	0x00000003u	/* modules page-aligned, memory info */
#define BASE		(64u << 20)	/* guest-physical start of the data */
#define PIT_HZ		1000u
#define PIT_DIV		1193u		/* 1193182 Hz / 1000 */

__attribute__((section(".multiboot"), aligned(4), used))
static const uint32_t mb_header[3] = {
	MB_MAGIC, MB_FLAGS, -(MB_MAGIC + MB_FLAGS)
};

volatile uint32_t ticks;

void gmain(uint32_t magic, const uint32_t *mbi);

__asm__(
	".text\n"
	".globl _start\n"
	"_start:\n"
	"	cli\n"
	"	mov $stack_top, %esp\n"
	"	push %ebx\n"
	"	push %eax\n"
	"	call gmain\n"
	"1:	hlt\n"
	"	jmp 1b\n"
	".globl isr_timer\n"
	"isr_timer:\n"
	"	push %eax\n"
	"	incl ticks\n"
	"	mov $0x20, %al\n"
	"	outb %al, $0x20\n"
	"	pop %eax\n"
	"	iret\n"
	".globl isr_ignore\n"
	"isr_ignore:\n"
	"	iret\n"
	".bss\n"
	".balign 16\n"
	"stack:\n"
	"	.skip 16384\n"
	"stack_top:\n"
	".text\n");

void isr_timer(void);
void isr_ignore(void);

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

static void putc_dbg(char c)
{
	outb(0xe9, c);
}

static void puts_dbg(const char *s)
{
	while (*s)
		putc_dbg(*s++);
}

static void putu(uint64_t v)
{
	char buf[24];
	int n = 0;

	/* Decimal without a 64-bit division (no libgcc here). */
	if (v >> 32) {
		uint32_t hi = v >> 32, lo = (uint32_t)v, rem;

		while (hi || lo) {
			/* (hi:lo) / 10, 32 bits at a time. */
			uint32_t qh = hi / 10, r = hi % 10, ql;

			__asm__("divl %4" : "=a"(ql), "=d"(rem)
				: "a"(lo), "d"(r), "rm"(10u));
			buf[n++] = '0' + rem;
			hi = qh;
			lo = ql;
		}
	} else {
		uint32_t x = (uint32_t)v;

		do {
			buf[n++] = '0' + x % 10;
			x /= 10;
		} while (x);
	}
	while (n)
		putc_dbg(buf[--n]);
}

static uint64_t gdt[3] = {
	0,
	0x00CF9A000000FFFFull,		/* 0x08: code, flat 4 GiB */
	0x00CF92000000FFFFull,		/* 0x10: data, flat 4 GiB */
};
static uint64_t idt[256];

struct __attribute__((packed)) dtr {
	uint16_t limit;
	uint32_t base;
};

static uint64_t gate(void (*fn)(void))
{
	uint32_t a = (uint32_t)fn;

	return (uint64_t)(a & 0xffff) | (uint64_t)0x08 << 16 |
	       (uint64_t)0x8E << 40 | (uint64_t)(a >> 16) << 48;
}

static void setup_cpu(void)
{
	struct dtr g = { sizeof(gdt) - 1, (uint32_t)gdt };
	struct dtr i = { sizeof(idt) - 1, (uint32_t)idt };
	int v;

	__asm__ volatile("lgdt %0\n"
			 "ljmp $0x08, $1f\n"
			 "1:\n"
			 "mov $0x10, %%ax\n"
			 "mov %%ax, %%ds\n"
			 "mov %%ax, %%es\n"
			 "mov %%ax, %%ss\n"
			 "mov %%ax, %%fs\n"
			 "mov %%ax, %%gs\n" : : "m"(g) : "eax", "memory");
	for (v = 0; v < 256; v++)
		idt[v] = gate(isr_ignore);
	idt[0x20] = gate(isr_timer);
	__asm__ volatile("lidt %0" : : "m"(i));
	/* The PICs: IRQ 0-15 on vectors 0x20-0x2f, only IRQ 0 (the PIT). */
	outb(0x20, 0x11);
	outb(0xA0, 0x11);
	outb(0x21, 0x20);
	outb(0xA1, 0x28);
	outb(0x21, 4);
	outb(0xA1, 2);
	outb(0x21, 1);
	outb(0xA1, 1);
	outb(0x21, 0xFE);
	outb(0xA1, 0xFF);
	/* PIT channel 0, rate generator, 1 kHz. */
	outb(0x43, 0x34);
	outb(0x40, PIT_DIV & 0xff);
	outb(0x40, PIT_DIV >> 8);
}

/* Sleep until the next interrupt (the next tick). */
static inline void wait_tick(void)
{
	__asm__ volatile("sti; hlt; cli" : : : "memory");
}

static uint32_t xorshift32(uint32_t *s)
{
	uint32_t x = *s;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return *s = x;
}

static uint64_t mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* name=NUMBER in the multiboot command line, or @def. */
static uint32_t param(const char *cmd, const char *name, uint32_t def)
{
	const char *p = cmd, *n;
	uint32_t v;

	if (!cmd)
		return def;
	while (*p) {
		while (*p == ' ')
			p++;
		for (n = name; *n && *p == *n; n++, p++)
			;
		if (!*n && *p == '=') {
			p++;
			for (v = 0; *p >= '0' && *p <= '9'; p++)
				v = v * 10 + (*p - '0');
			return v;
		}
		while (*p && *p != ' ')
			p++;
	}
	return def;
}

void gmain(uint32_t magic, const uint32_t *mbi)
{
	const char *cmd = magic == 0x2BADB002u && (mbi[0] & 4) ?
			  (const char *)mbi[4] : 0;
	uint32_t rand_mib = param(cmd, "rand_mib", 32);
	uint32_t hot_pages = param(cmd, "hot_pages", 10485);
	uint32_t rate = param(cmd, "rate", 8000);
	uint32_t seed = param(cmd, "seed", 19) | 1;
	uint32_t stall_us = param(cmd, "stall_us", 20);
	volatile uint32_t *w32;
	uint64_t *w, t0, t1, dt, gen = 0, writes = 0, stalls = 0;
	uint32_t i, n, last, credit = 0, due = 0, tsc_khz, next_report;
	uint32_t stall_cycles;
	uint8_t *hot;

	setup_cpu();
	puts_dbg("pcguest\n");
	/* The hot set, then the random data. */
	hot = (uint8_t *)BASE;
	w32 = (volatile uint32_t *)(BASE + hot_pages * 4096);
	for (i = 0; i < (rand_mib << 18); i++)
		w32[i] = xorshift32(&seed);

	/* The TSC against 100 PIT ticks. */
	wait_tick();
	last = ticks;
	t0 = rdtsc();
	while (ticks - last < 100)
		wait_tick();
	t1 = rdtsc();
	tsc_khz = (uint32_t)(t1 - t0) / 100;	/* cycles per ms */
	stall_cycles = tsc_khz * stall_us / 1000;
	puts_dbg("ready tsc_khz ");
	putu(tsc_khz);
	putc_dbg('\n');

	last = ticks;
	next_report = last + PIT_HZ;
	for (;;) {
		uint32_t now = ticks, el = now - last;

		last = now;
		/* At most a second behind, as kmig-vmm's writers. */
		if (el > PIT_HZ)
			el = PIT_HZ;
		credit += el * (rate % PIT_HZ);
		due += el * (rate / PIT_HZ) + credit / PIT_HZ;
		credit %= PIT_HZ;
		if (due > rate)
			due = rate;
		for (n = 0; n < due; n++) {
			uint64_t s = mix64(seed + gen) | 1;
			uint32_t idx, off;

			seed = xorshift32(&seed);
			idx = seed % hot_pages;
			gen++;
			w = (uint64_t *)(hot + idx * 4096);
			off = 2 + ((uint32_t)gen % 15) * 32;
			t0 = rdtsc();
			w[0] = idx;
			w[1] = gen;
			for (i = 0; i < 32; i++) {
				s ^= s << 13;
				s ^= s >> 7;
				s ^= s << 17;
				w[off + i] = s;
			}
			t1 = rdtsc();
			writes++;
			dt = t1 - t0;
			if (dt > stall_cycles) {
				stalls++;
				puts_dbg("s ");
				putu(dt);
				putc_dbg('\n');
			}
		}
		due = 0;
		if ((int32_t)(ticks - next_report) >= 0) {
			next_report += PIT_HZ;
			puts_dbg("w ");
			putu(writes);
			putc_dbg(' ');
			putu(stalls);
			putc_dbg('\n');
		}
		wait_tick();
	}
}
