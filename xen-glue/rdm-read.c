/*
 * Reading a source file of reserved device memory regions: only regular
 * files, only up to a cap, never blocking (a FIFO or a device given as a
 * DMAR table or a region file must not hang the reader or fill memory).
 *
 * Copyright (c) 2026 The xen-rdm project authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "rdm-source.h"

#include <fcntl.h>
#include <sys/stat.h>

bool xen_rdm_read_file(const char *path, const char *what, size_t max,
                       char **data, size_t *len, Error **errp)
{
    g_autofree char *buf = NULL;
    struct stat st;
    size_t done = 0;
    int fd;

    /* O_NONBLOCK: opening a FIFO with no writer must not wait for one */
    fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        error_setg(errp, "%s: cannot read %s: %s", path, what,
                   g_strerror(errno));
        return false;
    }
    if (fstat(fd, &st) < 0) {
        error_setg(errp, "%s: cannot read %s: %s", path, what,
                   g_strerror(errno));
        close(fd);
        return false;
    }
    if (!S_ISREG(st.st_mode)) {
        error_setg(errp, "%s: cannot read %s: not a regular file (%s)",
                   path, what, S_ISDIR(st.st_mode) ? "a directory" :
                   S_ISFIFO(st.st_mode) ? "a FIFO" :
                   S_ISCHR(st.st_mode) ? "a character device" :
                   S_ISBLK(st.st_mode) ? "a block device" :
                   S_ISSOCK(st.st_mode) ? "a socket" : "not a file");
        close(fd);
        return false;
    }
    if ((uint64_t)st.st_size > max) {
        error_setg(errp, "%s: cannot read %s: it has %" PRIu64 " bytes, "
                   "more than the %zu a %s can have", path, what,
                   (uint64_t)st.st_size, max, what);
        close(fd);
        return false;
    }
    /* the file may grow while it is read: never read past the cap */
    buf = g_malloc(max + 1);
    while (done <= max) {
        ssize_t n = read(fd, buf + done, max + 1 - done);

        if (n < 0 && (errno == EINTR || errno == EAGAIN)) {
            continue;
        }
        if (n < 0) {
            error_setg(errp, "%s: cannot read %s: %s", path, what,
                       g_strerror(errno));
            close(fd);
            return false;
        }
        if (n == 0) {
            break;
        }
        done += n;
    }
    close(fd);
    if (done > max) {
        error_setg(errp, "%s: cannot read %s: it grew past the %zu bytes a "
                   "%s can have while it was read", path, what, max, what);
        return false;
    }
    *data = g_realloc(g_steal_pointer(&buf), done + 1);
    (*data)[done] = '\0';
    *len = done;
    return true;
}
