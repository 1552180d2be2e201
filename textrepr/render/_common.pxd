# C-level entry point of the typed tr, for the typed renderers (cimport).
cdef void tr_into(list out, object s, object o) except *
