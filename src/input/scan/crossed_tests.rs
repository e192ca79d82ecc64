//! Fills crossed out with an × (the student cancelling a fill, perhaps to mark another letter): never
//! read as the crossed letter, while clear fills beside them still read.
