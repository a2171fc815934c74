//! Late records: a log entry committed more than a week after the date it
//! claims. A written record is only as good as its timeliness.
