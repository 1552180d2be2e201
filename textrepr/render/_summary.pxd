# C-level entry points of the typed node summaries, for textrepr.render._trace (cimport).
cpdef str node_tag(object kind)
cpdef str node_summary(object kind, object p)
