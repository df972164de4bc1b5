/* SPDX-License-Identifier: MIT */
#ifndef KERNEL_STRERROR_H
#define KERNEL_STRERROR_H

/* "Invalid argument" for -EINVAL or EINVAL; "error N" for unknown. */
const char *strerror(int err);

#endif
