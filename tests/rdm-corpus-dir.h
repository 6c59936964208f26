/*
 * The DMAR corpus folder (../shared/corpus/dmar) as the corpus tests
 * read it
 *
 * Copyright (c) 2026 The xen-rdm project authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef RDM_CORPUS_DIR_H
#define RDM_CORPUS_DIR_H

#include <stdbool.h>

#include <glib.h>

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "hw/xen/xen-rdm-plan.h"

/* The guest RAM sizes every corpus test plans, in GiB */
#define RDM_CORPUS_RAM_GIB { 1, 2, 4, 8, 16 }

/*
 * The folder a corpus test reads: @argv's argument, else
 * $XEN_RDM_DMAR_CORPUS, else @fallback (meson's default)
 */
const char *rdm_corpus_dir(int argc, char **argv, const char *fallback);

/* Whether @dir is there; if not, the test is skipped, saying why */
bool rdm_corpus_present(const char *dir);

/*
 * The names of the tables (*.dat) in @dir, sorted, at least one; NULL,
 * with the test skipped and the reason given, when @dir is absent
 */
GPtrArray *rdm_corpus_names(const char *dir);

/*
 * The regions of table @name in @dir, parsed as the tool parses a DMAR
 * table (no PCI topology: scopes behind bridges stay unresolved); NULL
 * with @errp set when it does not parse
 */
XenRdmMap *rdm_corpus_load(const char *dir, const char *name, Error **errp);

/* The devices (uint32_t SBDFs) @map's regions list, each once, in order */
GArray *rdm_corpus_devices(const XenRdmMap *map);

#endif
