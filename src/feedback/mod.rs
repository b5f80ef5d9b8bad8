//! Survey answers and page feedback: what the build tells the receiver
//! (`manifest`), parsing and checking answers (`answers`, pure), storing
//! them (`store`, SQLite), the HTTP receiver shared by `collect` and
//! `serve` (`receiver`), and the reports of `portico results` (`report`).

pub mod answers;
pub mod collect;
pub mod form_page;
pub mod manifest;
pub mod receiver;
pub mod report;
pub mod store;
