/*
 * The part of an xl.cfg that decides a Xen HVM guest's memory layout, as
 * Xen 4.17's xl (tools/xl/xl_parse.c, tools/libs/util) and libxl
 * (libxl__domain_build_info_setdefault(), libxl__build_hvm()) read it.
 *
 * Copyright (c) 2026 The xen-rdm project authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "rdm-source.h"
#include "xl-config.h"
#include "rdm-names.h"

#define MIB ((uint64_t)1 << 20)

typedef enum ValueKind {
    VALUE_NUMBER,
    VALUE_STRING,
    VALUE_LIST,
} ValueKind;

typedef struct Value {
    ValueKind kind;
    unsigned line;
    uint64_t number;
    char *string;               /* VALUE_STRING; the text of a number */
    GPtrArray *list;            /* VALUE_LIST: Value * */
} Value;

static void value_free(gpointer p)
{
    Value *v = p;

    if (v) {
        g_free(v->string);
        if (v->list) {
            g_ptr_array_unref(v->list);
        }
        g_free(v);
    }
}

typedef struct Lexer {
    const char *path;
    const char *p, *end;
    unsigned line;
} Lexer;

/* Skip blanks and comments; newlines too when @newlines */
static void skip(Lexer *lx, bool newlines)
{
    while (lx->p < lx->end) {
        if (*lx->p == '#') {
            while (lx->p < lx->end && *lx->p != '\n') {
                lx->p++;
            }
        } else if (*lx->p == ' ' || *lx->p == '\t' || *lx->p == '\r') {
            lx->p++;
        } else if (*lx->p == '\n' && newlines) {
            lx->line++;
            lx->p++;
        } else {
            return;
        }
    }
}

static Value *parse_value(Lexer *lx, Error **errp);

static Value *parse_list(Lexer *lx, Error **errp)
{
    g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func(value_free);
    Value *v;
    unsigned line = lx->line;

    lx->p++;                    /* '[' */
    for (;;) {
        Value *item;

        skip(lx, true);
        if (lx->p >= lx->end) {
            error_setg(errp, "%s:%u: the list that starts on line %u has no "
                       "']'", lx->path, lx->line, line);
            return NULL;
        }
        if (*lx->p == ']') {
            lx->p++;
            break;
        }
        item = parse_value(lx, errp);
        if (!item) {
            return NULL;
        }
        if (item->kind == VALUE_LIST) {
            error_setg(errp, "%s:%u: a list inside a list", lx->path,
                       item->line);
            value_free(item);
            return NULL;
        }
        g_ptr_array_add(items, item);
        skip(lx, true);
        if (lx->p < lx->end && *lx->p == ',') {
            lx->p++;
        } else if (lx->p >= lx->end || *lx->p != ']') {
            error_setg(errp, "%s:%u: expected ',' or ']' in the list that "
                       "starts on line %u", lx->path, lx->line, line);
            return NULL;
        }
    }
    v = g_new0(Value, 1);
    v->kind = VALUE_LIST;
    v->line = line;
    v->list = g_steal_pointer(&items);
    return v;
}

static Value *parse_value(Lexer *lx, Error **errp)
{
    Value *v;

    skip(lx, false);
    if (lx->p >= lx->end || *lx->p == '\n') {
        error_setg(errp, "%s:%u: a value is missing", lx->path, lx->line);
        return NULL;
    }
    if (*lx->p == '[') {
        return parse_list(lx, errp);
    }
    v = g_new0(Value, 1);
    v->line = lx->line;
    if (*lx->p == '"' || *lx->p == '\'') {
        char quote = *lx->p++;
        GString *s = g_string_new(NULL);

        while (lx->p < lx->end && *lx->p != quote && *lx->p != '\n') {
            if (*lx->p == '\\' && lx->p + 1 < lx->end && quote == '"') {
                lx->p++;
            }
            g_string_append_c(s, *lx->p++);
        }
        if (lx->p >= lx->end || *lx->p != quote) {
            error_setg(errp, "%s:%u: unterminated string", lx->path,
                       v->line);
            g_string_free(s, true);
            value_free(v);
            return NULL;
        }
        lx->p++;
        v->kind = VALUE_STRING;
        v->string = g_string_free(s, false);
        return v;
    }
    if (g_ascii_isdigit(*lx->p)) {
        const char *start = lx->p;
        g_autofree char *text = NULL;
        char *end;

        while (lx->p < lx->end && g_ascii_isalnum(*lx->p)) {
            lx->p++;
        }
        text = g_strndup(start, lx->p - start);
        errno = 0;
        v->number = g_ascii_strtoull(text, &end, 0);
        if (*end || errno) {
            error_setg(errp, "%s:%u: '%s' is not a number", lx->path,
                       v->line, text);
            value_free(v);
            return NULL;
        }
        v->kind = VALUE_NUMBER;
        v->string = g_steal_pointer(&text);
        return v;
    }
    error_setg(errp, "%s:%u: expected a number, a quoted string or a list",
               lx->path, lx->line);
    value_free(v);
    return NULL;
}

/* xl.cfg's settings: name -> Value (a later setting replaces one before) */
static GHashTable *parse_settings(const char *path, const char *text,
                                  size_t len, Error **errp)
{
    g_autoptr(GHashTable) settings = g_hash_table_new_full(g_str_hash,
                                                           g_str_equal,
                                                           g_free,
                                                           value_free);
    Lexer lx = { path, text, text + len, 1 };

    if (memchr(text, '\0', len)) {
        error_setg(errp, "%s: a NUL byte: not an xl.cfg", path);
        return NULL;
    }
    for (;;) {
        const char *start;
        g_autofree char *name = NULL;
        Value *v;

        skip(&lx, true);
        if (lx.p >= lx.end) {
            break;
        }
        if (*lx.p == ';') {
            lx.p++;
            continue;
        }
        start = lx.p;
        while (lx.p < lx.end && (g_ascii_isalnum(*lx.p) || *lx.p == '_')) {
            lx.p++;
        }
        if (lx.p == start || g_ascii_isdigit(*start)) {
            error_setg(errp, "%s:%u: expected a setting name", path, lx.line);
            return NULL;
        }
        name = g_strndup(start, lx.p - start);
        skip(&lx, false);
        if (lx.p >= lx.end || *lx.p != '=') {
            error_setg(errp, "%s:%u: expected '=' after '%s'", path, lx.line,
                       name);
            return NULL;
        }
        lx.p++;
        v = parse_value(&lx, errp);
        if (!v) {
            return NULL;
        }
        g_hash_table_replace(settings, g_steal_pointer(&name), v);
        skip(&lx, false);
        if (lx.p < lx.end && *lx.p != '\n' && *lx.p != ';') {
            error_setg(errp, "%s:%u: unexpected text after a setting's value",
                       path, lx.line);
            return NULL;
        }
    }
    return g_steal_pointer(&settings);
}

static const Value *get(GHashTable *s, const char *name, ValueKind kind,
                        const char *path, Error **errp)
{
    const Value *v = g_hash_table_lookup(s, name);
    static const char *const kinds[] = { "a number", "a string", "a list" };

    if (v && v->kind != kind) {
        error_setg(errp, "%s:%u: %s must be %s", path, v->line, name,
                   kinds[kind]);
    }
    return v;
}

/* A size in MiB that must fit the guest-physical address space */
static bool get_mib(GHashTable *s, const char *name, const char *path,
                    uint64_t *bytes, bool *set, Error **errp)
{
    const Value *v = get(s, name, VALUE_NUMBER, path, errp);

    *set = false;
    if (*errp) {
        return false;
    }
    if (v) {
        if (v->number > XEN_RDM_MAX_PADDR / MIB) {
            error_setg(errp, "%s:%u: %s = %s (MiB) is too large", path,
                       v->line, name, v->string);
            return false;
        }
        *bytes = v->number * MIB;
        *set = true;
    }
    return true;
}

static void note(XenRdmXlConfig *xl, const char *fmt, ...)
    G_GNUC_PRINTF(2, 3);
static void note(XenRdmXlConfig *xl, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    g_ptr_array_add(xl->notes, g_strdup_vprintf(fmt, ap));
    va_end(ap);
}

/*
 * rdm= as xl 4.17's xlu_rdm_parse() takes it: "strategy=host" and
 * nothing else.  Its policy parser's success is taken for a failure, so
 * any policy= drops the whole setting, as an unknown key or strategy
 * does: xl goes on without it (libxl's defaults, strategy ignore).
 */
static void xl_rdm(XenRdmXlConfig *xl, const Value *v, const char *path)
{
    g_auto(GStrv) items = g_strsplit(v->string, ",", -1);
    bool host = false;

    for (int i = 0; items[i]; i++) {
        if (!strcmp(items[i], "strategy=host")) {
            host = true;
        } else if (g_str_has_prefix(items[i], "policy=")) {
            note(xl, "%s:%u: rdm = \"%s\": xl 4.17 drops the whole setting "
                 "when it has policy= (its policy parser's success is taken "
                 "for a failure): planned without it, as xl does", path,
                 v->line, v->string);
            return;
        } else {
            note(xl, "%s:%u: rdm = \"%s\": xl 4.17 takes only "
                 "\"strategy=host\" and drops the setting for '%s': planned "
                 "without it, as xl does", path, v->line, v->string,
                 items[i]);
            return;
        }
    }
    if (host) {
        xl->cfg.strategy = XEN_RDM_STRATEGY_HOST;
    }
}

/* pci = [ "[SSSS:]BB:DD.F[@VSLOT][,KEY=VALUE...]", ... ] */
static bool xl_pci(XenRdmXlConfig *xl, const Value *list, const char *path,
                   Error **errp)
{
    for (guint i = 0; i < list->list->len; i++) {
        const Value *v = g_ptr_array_index(list->list, i);
        g_auto(GStrv) parts = NULL;
        g_autofree char *bdf = NULL;
        XenRdmDeviceConfig dev = { .policy = XEN_RDM_POLICY_STRICT };
        Error *local_err = NULL;
        const char *first;
        char *at;

        if (v->kind != VALUE_STRING) {
            error_setg(errp, "%s:%u: pci entries must be strings", path,
                       v->line);
            return false;
        }
        parts = g_strsplit(v->string, ",", -1);
        /* an empty entry splits into no part at all */
        first = parts[0] ? parts[0] : "";
        bdf = g_strdup(g_str_has_prefix(first, "bdf=") ? first + 4 : first);
        at = strchr(bdf, '@');
        if (at) {
            *at = '\0';
        }
        if (!xen_rdm_sbdf_parse(bdf, &dev.sbdf, &local_err)) {
            error_setg(errp, "%s:%u: pci entry \"%s\": %s", path, v->line,
                       v->string, error_get_pretty(local_err));
            error_free(local_err);
            return false;
        }
        for (int j = 1; parts[j]; j++) {
            if (g_str_has_prefix(parts[j], "rdm_policy=") &&
                !xen_rdm_policy_parse(parts[j] + strlen("rdm_policy="),
                                      &dev.policy, &local_err)) {
                error_setg(errp, "%s:%u: pci entry \"%s\": %s", path,
                           v->line, v->string, error_get_pretty(local_err));
                error_free(local_err);
                return false;
            }
        }
        if (!xen_rdm_devices_add(xl->devices, &dev, &local_err)) {
            error_setg(errp, "%s:%u: pci entry \"%s\": %s", path, v->line,
                       v->string, error_get_pretty(local_err));
            error_free(local_err);
            return false;
        }
    }
    return true;
}

/*
 * Video memory libxl takes off maxmem for an HVM guest with QEMU
 * upstream (libxl__domain_build_info_setdefault())
 */
static bool xl_video(XenRdmXlConfig *xl, GHashTable *s, const char *path,
                     uint64_t *video, Error **errp)
{
    const Value *vga = get(s, "vga", VALUE_STRING, path, errp);
    const Value *std = *errp ? NULL : get(s, "stdvga", VALUE_NUMBER, path,
                                          errp);
    uint64_t dflt = 8, min = 8;
    const char *kind = "cirrus";
    bool set = false;

    if (*errp) {
        return false;
    }
    if (vga) {
        kind = vga->string;
    } else if (std && std->number) {
        kind = "stdvga";
    }
    if (!strcmp(kind, "none")) {
        dflt = min = 0;
    } else if (!strcmp(kind, "stdvga")) {
        dflt = min = 16;
    } else if (!strcmp(kind, "qxl")) {
        dflt = min = 128;
    } else if (strcmp(kind, "cirrus")) {
        error_setg(errp, "%s:%u: unknown vga \"%s\" (stdvga, cirrus, none "
                   "or qxl)", path, vga->line, kind);
        return false;
    }
    if (!get_mib(s, "videoram", path, video, &set, errp)) {
        return false;
    }
    if (!set) {
        *video = dflt * MIB;
    } else if (*video < min * MIB) {
        error_setg(errp, "%s: videoram must be at least %" PRIu64 " MiB for "
                   "vga \"%s\" (as libxl says)", path, min, kind);
        return false;
    }
    return true;
}

/* The settings of @text into @xl; every helper sets **@errp or nothing */
static bool parse(const char *text, size_t len, const char *path,
                  XenRdmXlConfig *xl, Error **errp)
{
    g_autoptr(GHashTable) s = NULL;
    const Value *type, *builder, *v;
    uint64_t memory, maxmem, video, hole;
    bool set;

    xen_rdm_config_init(&xl->cfg);
    xl->devices = g_array_new(false, false, sizeof(XenRdmDeviceConfig));
    xl->notes = g_ptr_array_new_with_free_func(g_free);
    s = parse_settings(path, text, len, errp);
    if (!s) {
        return false;
    }

    type = get(s, "type", VALUE_STRING, path, errp);
    builder = *errp ? NULL : get(s, "builder", VALUE_STRING, path, errp);
    if (*errp) {
        return false;
    }
    if (!(type ? !strcmp(type->string, "hvm")
               : builder && !strcmp(builder->string, "hvm"))) {
        error_setg(errp, "%s: not an HVM guest (type = \"hvm\"): only HVM "
                   "guests have reserved device memory handled", path);
        return false;
    }

    if (!get_mib(s, "memory", path, &memory, &set, errp)) {
        return false;
    }
    if (!set) {
        error_setg(errp, "%s: memory is not set", path);
        return false;
    }
    if (!get_mib(s, "maxmem", path, &maxmem, &set, errp)) {
        return false;
    }
    if (!set) {
        maxmem = memory;
    } else if (maxmem < memory) {
        error_setg(errp, "%s: maxmem (%" PRIu64 " MiB) is below memory (%"
                   PRIu64 " MiB)", path, maxmem / MIB, memory / MIB);
        return false;
    }
    if (!xl_video(xl, s, path, &video, errp)) {
        return false;
    }
    if (maxmem <= video) {
        error_setg(errp, "%s: %s (%" PRIu64 " MiB) leaves no RAM beside the "
                   "%" PRIu64 " MiB of video memory", path,
                   maxmem == memory ? "memory" : "maxmem", maxmem / MIB,
                   video / MIB);
        return false;
    }
    /* libxl__build_hvm(): mem_size = max_memkb - video_memkb */
    xl->cfg.ram_size = maxmem - video;
    if (maxmem > memory) {
        note(xl, "%s: maxmem (%" PRIu64 " MiB) above memory (%" PRIu64
             " MiB): the layout is planned for maxmem, as libxl lays it out "
             "(populate on demand, which passthrough refuses)", path,
             maxmem / MIB, memory / MIB);
    }

    if (!get_mib(s, "mmio_hole", path, &hole, &set, errp)) {
        return false;
    }
    if (set) {
        if (hole < 256 * MIB || hole > 3840 * MIB) {
            v = g_hash_table_lookup(s, "mmio_hole");
            error_setg(errp, "%s:%u: invalid mmio_hole %s: xl takes 256 to "
                       "3840 (MiB)", path, v->line, v->string);
            return false;
        }
        xl->cfg.mmio_hole = hole;
    }
    if (!get_mib(s, "rdm_mem_boundary", path, &xl->cfg.boundary, &set,
                 errp)) {
        return false;
    }
    if (!xen_rdm_boundary_valid(xl->cfg.boundary)) {
        /* no region below 4 GiB starts above it: libxl never moves RAM */
        note(xl, "%s: rdm_mem_boundary = %" PRIu64 " (MiB) is above 4 GiB: "
             "libxl then never moves lowmem_end, as with 4096", path,
             xl->cfg.boundary / MIB);
        xl->cfg.boundary = XEN_RDM_4G;
    }
    v = get(s, "hap", VALUE_NUMBER, path, errp);
    if (*errp) {
        return false;
    }
    xl->cfg.hap = !v || v->number;
    v = get(s, "rdm", VALUE_STRING, path, errp);
    if (*errp) {
        return false;
    }
    if (v) {
        xl_rdm(xl, v, path);
    }
    v = get(s, "pci", VALUE_LIST, path, errp);
    if (*errp || (v && !xl_pci(xl, v, path, errp))) {
        return false;
    }
    xl->cfg.devices = (XenRdmDeviceConfig *)xl->devices->data;
    xl->cfg.nr_devices = xl->devices->len;
    return true;
}

bool xen_rdm_xl_config_parse(const char *text, size_t len, const char *name,
                             XenRdmXlConfig *xl, Error **errp)
{
    Error *local_err = NULL;

    if (!parse(text, len, name, xl, &local_err)) {
        error_propagate(errp, local_err);
        return false;
    }
    return true;
}

bool xen_rdm_xl_config_load(const char *path, XenRdmXlConfig *xl,
                            Error **errp)
{
    g_autofree char *text = NULL;
    size_t len;

    if (!xen_rdm_read_file(path, "xl.cfg", XEN_RDM_XL_CONFIG_MAX_SIZE,
                           &text, &len, errp)) {
        return false;
    }
    return xen_rdm_xl_config_parse(text, len, path, xl, errp);
}

void xen_rdm_xl_config_clear(XenRdmXlConfig *xl)
{
    if (xl->devices) {
        g_array_unref(xl->devices);
    }
    if (xl->notes) {
        g_ptr_array_unref(xl->notes);
    }
    memset(xl, 0, sizeof(*xl));
}
