// Clang's thread-safety attributes as macros, so that the compiler checks what each lock
// guards (https://clang.llvm.org/docs/ThreadSafetyAnalysis.html). `make test` runs the
// analysis with clang (tools/thread-safety.sh); under GCC the macros expand to nothing.
//
//   Mutex mu_;
//   int count_ GUARDED_BY(mu_);          // read or written only with mu_ held
//   void Bump() REQUIRES(mu_);           // callers hold mu_
//   void Flush() EXCLUDES(mu_);          // callers must not hold mu_ (it takes it)
#ifndef NEXUS_UTIL_THREAD_ANNOTATIONS_H_
#define NEXUS_UTIL_THREAD_ANNOTATIONS_H_

#if defined(__clang__)
#define NEXUS_THREAD_ANNOTATION(x) __attribute__((x))
#else
#define NEXUS_THREAD_ANNOTATION(x)
#endif

// On a class: its objects are locks (capabilities) named `x` in the diagnostics.
#define CAPABILITY(x) NEXUS_THREAD_ANNOTATION(capability(x))
// On an RAII class that holds a capability from its constructor to its destructor.
#define SCOPED_CAPABILITY NEXUS_THREAD_ANNOTATION(scoped_lockable)

// On a data member: accessed only with the capability held (reads may share it).
#define GUARDED_BY(x) NEXUS_THREAD_ANNOTATION(guarded_by(x))
// On a pointer member: what it points to is accessed only with the capability held.
#define PT_GUARDED_BY(x) NEXUS_THREAD_ANNOTATION(pt_guarded_by(x))

// Lock order: this capability is taken before / after the ones named.
#define ACQUIRED_BEFORE(...) NEXUS_THREAD_ANNOTATION(acquired_before(__VA_ARGS__))
#define ACQUIRED_AFTER(...) NEXUS_THREAD_ANNOTATION(acquired_after(__VA_ARGS__))

// On a function: callers hold the capabilities (exclusively / at least shared).
#define REQUIRES(...) NEXUS_THREAD_ANNOTATION(requires_capability(__VA_ARGS__))
#define REQUIRES_SHARED(...) NEXUS_THREAD_ANNOTATION(requires_shared_capability(__VA_ARGS__))

// On a function: it takes (or drops) the capabilities and returns with them held (released).
#define ACQUIRE(...) NEXUS_THREAD_ANNOTATION(acquire_capability(__VA_ARGS__))
#define ACQUIRE_SHARED(...) NEXUS_THREAD_ANNOTATION(acquire_shared_capability(__VA_ARGS__))
#define RELEASE(...) NEXUS_THREAD_ANNOTATION(release_capability(__VA_ARGS__))
#define RELEASE_SHARED(...) NEXUS_THREAD_ANNOTATION(release_shared_capability(__VA_ARGS__))
#define TRY_ACQUIRE(...) NEXUS_THREAD_ANNOTATION(try_acquire_capability(__VA_ARGS__))

// On a function: callers must not hold the capabilities (the function takes them itself).
#define EXCLUDES(...) NEXUS_THREAD_ANNOTATION(locks_excluded(__VA_ARGS__))

// On a function: tells the analysis the capability is held from here on; checks nothing.
#define ASSERT_CAPABILITY(x) NEXUS_THREAD_ANNOTATION(assert_capability(x))

// On a function: it returns a reference to the capability named.
#define RETURN_CAPABILITY(x) NEXUS_THREAD_ANNOTATION(lock_returned(x))

// On a function: the analysis skips its body. Each use says why the locking is sound.
#define NO_THREAD_SAFETY_ANALYSIS NEXUS_THREAD_ANNOTATION(no_thread_safety_analysis)

#endif  // NEXUS_UTIL_THREAD_ANNOTATIONS_H_
