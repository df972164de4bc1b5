// SPDX-License-Identifier: MIT
#include "tests/ktest_mm.h"

bool ktest_ensure_free_huge(struct kunit *test, struct hstate *h, unsigned long n)
{
	unsigned long avail = h->free_huge_pages - h->resv_huge_pages;
	unsigned long want = h->nr_huge_pages - h->surplus_huge_pages + (n > avail ? n - avail : 0);

	if (!h->supported) {
		ktest_skip(test, "1 GiB pages need pdpe1gb");
		return false;
	}
	if (n > avail && set_max_huge_pages(h, want) < want) {
		ktest_skip(test, "the pool cannot grow (no free aligned memory)");
		return false;
	}
	return true;
}
