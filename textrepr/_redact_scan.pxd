# The redaction walk's C entry point, for the usual request's compiled path (textrepr/_request.pyx).
cdef object walk_event_c(dict ev, int flags, dict known, object secret_key, tuple skips, object exempt,
                         object prop_exempt)
