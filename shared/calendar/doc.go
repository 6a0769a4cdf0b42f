// Package calendar does the date arithmetic the rules need: local calendar dates in an
// assessment's time zone, calendar-day and business-day steps, and holiday calendars.
//
// A Calendar is a time zone plus a set of holidays. Business days skip Saturdays, Sundays and the
// calendar's holidays, all judged on local dates in the calendar's time zone. The default calendar
// is Europe/London with the England and Wales bank holidays embedded from data/england-and-wales.txt
// (source and refresh steps are in that file's header); callers may supply another holiday list.
// Time-zone data is embedded (time/tzdata), so hosts without a zoneinfo database still work.
package calendar
