# The redaction walk's C entry point, for the usual request's compiled path (textrepr/_request.pyx).
cdef object walk_event_c(dict ev, int flags, dict known, object secret_key, tuple skips, object exempt,
                         object prop_exempt)

# Whether a JSON text surely holds nothing to redact, for the same caller (1: clean; see raw_clean).
cdef int raw_clean_c(bytes raw, int flags) except -1
