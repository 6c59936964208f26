/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Stand-in for hvmloader's util.h (Xen 4.17, tools/firmware/hvmloader)
 * with what e820.c uses: hvm_info (only the two ends of RAM), printf
 * and BUG() into the test (tests/xen/test-hvmloader-e820.c), and
 * memory_map with guard entries after its E820MAX, so that a write past
 * memory_map.map[] lands where the test sees it.
 */
#ifndef HVMLOADER_SHIM_UTIL_H
#define HVMLOADER_SHIM_UTIL_H

#include <stdarg.h>
#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include "e820.h"

#define MB(mb) (mb##ULL << 20)
#define GB(gb) (gb##ULL << 30)

struct hvm_info_table {
    uint32_t low_mem_pgend;
    uint32_t high_mem_pgend;
};
extern struct hvm_info_table shim_hvm_info;
#define hvm_info (&shim_hvm_info)

int shim_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
#define printf shim_printf
void shim_bug(const char *file, int line) __attribute__((noreturn));
#define BUG() shim_bug(__FILE__, __LINE__)
#define BUG_ON(p) do { if ( p ) BUG(); } while ( 0 )
#define ASSERT(p) BUG_ON(!(p))

#define SHIM_E820_GUARD 4
struct e820map_guarded {
    unsigned int nr_map;
    struct e820entry map[E820MAX];
    struct e820entry guard[SHIM_E820_GUARD];
};
#define e820map e820map_guarded
extern struct e820map memory_map;

bool check_overlap(uint64_t start, uint64_t size,
                   uint64_t reserved_start, uint64_t reserved_size);
int get_mem_mapping_layout(struct e820entry entries[],
                           unsigned int *max_entries);
unsigned long acpi_pages_allocated(void);

/* e820.c's, as util.h declares them (the last two: patches/xen 0014-0015) */
void memory_map_setup(void);
void adjust_memory_map(void);
int build_e820_table(struct e820entry *e820,
                     unsigned int lowmem_reserved_base,
                     unsigned int bios_image_base);
void dump_e820_table(struct e820entry *e820, unsigned int nr);
bool e820_range_is_ram(uint64_t start, uint64_t size);
uint64_t e820_ram_size(void);

#endif
