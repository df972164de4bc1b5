// SPDX-License-Identifier: MIT
/*
 * CMOS RTC: read the date twice until two reads agree, so that an update
 * in the middle of a read is never taken for the time.
 */
#include "kernel/rtc.h"
#include "kernel/io.h"

#define CMOS_INDEX	0x70
#define CMOS_DATA	0x71
#define RTC_STATUS_A	0x0a
#define RTC_STATUS_B	0x0b
#define RTC_UIP		0x80		/* update in progress */
#define RTC_24H		0x02
#define RTC_BINARY	0x04

static u8 cmos_read(u8 reg)
{
	outb(reg, CMOS_INDEX);
	return inb(CMOS_DATA);
}

struct rtc_time {
	u8 sec, min, hour, day, mon, year, century;
};

static void read_raw(struct rtc_time *t)
{
	for (int spins = 0; spins < 1000000 && (cmos_read(RTC_STATUS_A) & RTC_UIP); spins++)
		cpu_relax();
	t->sec = cmos_read(0x00);
	t->min = cmos_read(0x02);
	t->hour = cmos_read(0x04);
	t->day = cmos_read(0x07);
	t->mon = cmos_read(0x08);
	t->year = cmos_read(0x09);
	t->century = cmos_read(0x32);	/* ACPI FADT's usual century register */
}

static unsigned int bcd(u8 v)
{
	return (v & 0x0f) + (v >> 4) * 10;
}

u64 rtc_mktime(unsigned int year, unsigned int mon, unsigned int day,
	       unsigned int hour, unsigned int min, unsigned int sec)
{
	/* Count from March so that February's leap day comes last. */
	if ((int)(mon -= 2) <= 0) {
		mon += 12;
		year -= 1;
	}
	return ((((u64)(year / 4 - year / 100 + year / 400 + 367 * mon / 12 + day) +
		  year * 365 - 719499) * 24 + hour) * 60 + min) * 60 + sec;
}

u64 rtc_read_seconds(void)
{
	struct rtc_time a, b;
	unsigned int year, mon, day, hour, min, sec;
	u8 status;
	bool pm;

	for (int tries = 0; tries < 10; tries++) {
		read_raw(&a);
		read_raw(&b);
		if (a.sec == b.sec && a.min == b.min && a.hour == b.hour &&
		    a.day == b.day && a.mon == b.mon && a.year == b.year)
			break;
	}
	status = cmos_read(RTC_STATUS_B);
	pm = !(status & RTC_24H) && (b.hour & 0x80);
	b.hour &= 0x7f;
	if (!(status & RTC_BINARY)) {
		sec = bcd(b.sec), min = bcd(b.min), hour = bcd(b.hour);
		day = bcd(b.day), mon = bcd(b.mon), year = bcd(b.year);
		year += b.century ? bcd(b.century) * 100 : 2000;
	} else {
		sec = b.sec, min = b.min, hour = b.hour;
		day = b.day, mon = b.mon, year = b.year;
		year += b.century ? b.century * 100 : 2000;
	}
	if (!(status & RTC_24H))
		hour = hour % 12 + (pm ? 12 : 0);
	if (sec > 59 || min > 59 || hour > 23 || !day || day > 31 || !mon || mon > 12 ||
	    year < 1970 || year > 2199)
		return 0;
	return rtc_mktime(year, mon, day, hour, min, sec);
}
