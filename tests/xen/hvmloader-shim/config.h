/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Stand-in for hvmloader's config.h (Xen 4.17, tools/firmware/hvmloader)
 * with what e820.c uses, the values of the real one, so that e820.c
 * builds as it is on the host (tests/xen/test-hvmloader-e820.c).
 */
#ifndef HVMLOADER_SHIM_CONFIG_H
#define HVMLOADER_SHIM_CONFIG_H

#include <stdbool.h>

extern unsigned long igd_opregion_pgbase;
#define IGD_OPREGION_PAGES 3

#define PAGE_SHIFT 12
#define PAGE_SIZE  (1ul << PAGE_SHIFT)

extern bool acpi_enabled;

#define RESERVED_MEMBASE              0xFC000000
#define ACPI_MEMORY_DYNAMIC_START     0xFC001000
#define RESERVED_MEMORY_DYNAMIC_START 0xFC100000
#define RESERVED_MEMORY_DYNAMIC_END   0xFE000000

#endif
