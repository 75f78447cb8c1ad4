"""core/tags on C/C++ as real code writes it: only definitions are definitions (not a type named
in a parameter, nor a local object), and a struct whose body tree-sitter cannot parse (a field
written as a macro call, as in llama.cpp's ggml.h) is still found."""

from __future__ import annotations

import pytest

from readertui.core import tags
from readertui.core.tags import Definition, definitions

# ggml.h's shape: the field `GGML_DEPRECATED(enum ggml_backend_type backend, "…");` is a macro
# call tree-sitter cannot parse as a field, so `struct ggml_tensor {` ends up as loose tokens
# in an ERROR node (in C and C++ alike), which no pattern of the grammars' tags queries matches.
GGML_H = b'''#define GGML_API extern
#define GGML_DEPRECATED(func, hint) func __attribute__((deprecated(hint)))

#ifdef  __cplusplus
extern "C" {
#endif

    struct ggml_init_params {
        size_t mem_size;   // bytes
    };

    // n-dimensional tensor
    struct ggml_tensor {
        enum ggml_type type;

        GGML_DEPRECATED(enum ggml_backend_type backend, "use the buffer type to find the storage location of the tensor");

        struct ggml_backend_buffer * buffer;

        int64_t ne[GGML_MAX_DIMS]; // number of elements
        void * extra; // extra things e.g. for ggml-cuda.cu {
    };

    GGML_API size_t ggml_nbytes(const struct ggml_tensor * tensor);

#ifdef  __cplusplus
}
#endif
'''

# ggml.h again, cut down from its lines 1843-2058 (whole declarations removed while the parse
# kept its shape): C++'s recovery reads the first `GGML_DEPRECATED(…)` as a function header
# and all that follows as its body; `enum ggml_opt_type` is left in an ERROR node and its `{`
# opens that made-up body, outside the ERROR.
GGML_OPT_H = b'''    GGML_DEPRECATED(GGML_API struct ggml_tensor * ggml_map_binary_f32(
            struct ggml_context         * ctx,
            struct ggml_tensor          * a,
            struct ggml_tensor          * b,
                   ggml_binary_op_f32_t   fun),
        "use ggml_map_custom2 instead");
    GGML_DEPRECATED(GGML_API struct ggml_tensor * ggml_map_binary_inplace_f32(
            struct ggml_context         * ctx,
            struct ggml_tensor          * a,
            struct ggml_tensor          * b,
                   ggml_binary_op_f32_t   fun),
        "use ggml_map_custom2_inplace instead");
    GGML_DEPRECATED(GGML_API struct ggml_tensor * ggml_map_custom1_f32(
            struct ggml_context          * ctx,
            struct ggml_tensor           * a,
                   ggml_custom1_op_f32_t   fun),
        "use ggml_map_custom1 instead");
    GGML_DEPRECATED(GGML_API struct ggml_tensor * ggml_map_custom1_inplace_f32(
            struct ggml_context          * ctx,
            struct ggml_tensor           * a,
                   ggml_custom1_op_f32_t   fun),
        "use ggml_map_custom1_inplace instead");

    GGML_DEPRECATED(GGML_API struct ggml_tensor * ggml_map_custom3_inplace_f32(
            struct ggml_context          * ctx,
            struct ggml_tensor           * a,
            struct ggml_tensor           * b,
            struct ggml_tensor           * c,
                   ggml_custom3_op_f32_t   fun),
        "use ggml_map_custom3_inplace instead");
#define GGML_N_TASKS_MAX (-1)
    GGML_API struct ggml_tensor *  ggml_graph_node   (struct ggml_cgraph * cgraph, int i); // if i < 0, returns nodes[n_nodes + i]
    GGML_API struct ggml_tensor ** ggml_graph_nodes  (struct ggml_cgraph * cgraph);
    GGML_API void ggml_graph_print(const struct ggml_cgraph * cgraph);
    GGML_API void ggml_graph_dump_dot(const struct ggml_cgraph * gb, const struct ggml_cgraph * gf, const char * filename);
    GGML_API void ggml_build_backward_gradient_checkpointing(
            struct ggml_context   * ctx,
            struct ggml_cgraph    * gf,
            struct ggml_cgraph    * gb,
            struct ggml_cgraph    * gb_tmp,
            struct ggml_tensor  * * checkpoints,
            int                     n_checkpoints);
    enum ggml_opt_type {
        GGML_OPT_TYPE_ADAM,
        GGML_OPT_TYPE_LBFGS,
    };
'''


def named(defs: list[Definition], name: str) -> list[tuple[str, str, int, int]]:
    return [(d.qualified, d.kind, d.start, d.end) for d in defs if d.name == name]


@pytest.mark.parametrize("language", ["c", "cpp", "cuda"])
def test_a_struct_with_a_macro_call_for_a_field_is_found_whole(language: str) -> None:
    defs = definitions(GGML_H, language)
    assert named(defs, "ggml_tensor") == [("ggml_tensor", "class", 13, 22)]  # the `{` in a comment is no brace
    assert named(defs, "ggml_init_params") == [("ggml_init_params", "class", 8, 10)]
    assert named(defs, "ggml_nbytes") == [("ggml_nbytes", "prototype", 24, 24)]
    # Types named in a field are used there, not defined.
    assert named(defs, "ggml_type") == [] and named(defs, "ggml_backend_type") == []


def test_an_enum_whose_brace_recovery_put_outside_its_error_node_is_found() -> None:
    defs = definitions(GGML_OPT_H, "cpp")
    assert [(d.name, d.kind, d.start, d.end) for d in defs if d.name == "ggml_opt_type"] == [
        ("ggml_opt_type", "type", 43, 46)
    ]
    # `struct ggml_tensor *` in the same ERROR nodes is a use.
    assert named(defs, "ggml_tensor") == [] and named(defs, "ggml_context") == []


@pytest.mark.parametrize("language", ["c", "cpp"])
def test_a_struct_whose_brace_never_closes_is_its_header_line(language: str) -> None:
    source = b'struct ggml_tensor {\n    GGML_DEPRECATED(enum ggml_backend_type backend, "use the buffer");\n    int n;\n'
    assert named(definitions(source, language), "ggml_tensor") == [("ggml_tensor", "class", 1, 1)]


C_TYPE_USES = b'''enum ggml_type { GGML_TYPE_F32, GGML_TYPE_F16 };
struct ggml_tensor { enum ggml_type type; };
union value { int i; float f; };
typedef enum ggml_type ggml_type_t;
size_t ggml_type_size(enum ggml_type type);
struct ggml_tensor * ggml_new_tensor(struct ggml_context * ctx, enum ggml_type type, int n);
union value pick(union value v);
union value last;
static int f(void) {
    enum ggml_type t = GGML_TYPE_F32;
    union value v;
    struct ggml_tensor *p = 0;
    extern int getmsg();
    return t;
}
'''


@pytest.mark.parametrize("language", ["c", "cpp"])
def test_c_types_named_in_parameters_and_declarations_are_not_definitions(language: str) -> None:
    defs = definitions(C_TYPE_USES, language)
    assert named(defs, "ggml_type") == [("ggml_type", "type", 1, 1)]
    assert named(defs, "ggml_tensor") == [("ggml_tensor", "class", 2, 2)]
    assert named(defs, "value") == [("value", "class", 3, 3)]
    assert named(defs, "ggml_type_t") == [("ggml_type_t", "type", 4, 4)]
    assert [d.name for d in defs if d.kind == "prototype"] == ["ggml_type_size", "ggml_new_tensor", "pick"]
    assert named(defs, "f") == [("f", "function", 9, 15)]
    assert named(defs, "getmsg") == []  # a block-scope declaration


CPP_LOCALS = b'''struct llama_batch_allocr {
    llama_batch_allocr(llama_context & ctx, struct llama_batch in_batch);
};
class llama_context;
enum class llama_kind : int;
int llama_decode_internal(llama_context & lctx, llama_batch inp_batch);
namespace ns { int helper(class llama_context * ctx); }

static int llama_decode_internal(llama_context & lctx, llama_batch inp_batch) {
    llama_batch_allocr batch_allocr(lctx, inp_batch);
    std::lock_guard<std::mutex> lock(mutex);
    if (lctx.n) {
        std::vector<float> buf(16);
    }
    struct local { int method(int); };
    return 0;
}
'''


@pytest.mark.parametrize("language", ["cpp", "cuda"])
def test_cpp_local_objects_and_forward_declarations_are_not_definitions(language: str) -> None:
    defs = definitions(CPP_LOCALS, language)
    got = [(d.qualified, d.kind, d.start, d.end) for d in defs]
    assert got == [
        ("llama_batch_allocr", "class", 1, 3),
        ("llama_batch_allocr.llama_batch_allocr", "prototype", 2, 2),
        ("llama_decode_internal", "prototype", 6, 6),
        ("ns", "module", 7, 7),
        ("ns.helper", "prototype", 7, 7),
        ("llama_decode_internal", "function", 9, 17),
        ("llama_decode_internal.local", "class", 15, 15),
        ("llama_decode_internal.local.method", "prototype", 15, 15),  # class scope, inside a function
    ]


# libstdc++'s shape: an unexpanded macro before `namespace filesystem {` makes tree-sitter read a
# function definition whose "body" is the namespace; the prototypes in it stay prototypes.
LIBSTDCXX = b'''namespace std _GLIBCXX_VISIBILITY(default)
{
_GLIBCXX_BEGIN_NAMESPACE_VERSION

namespace filesystem
{
  [[nodiscard]]
  bool is_empty(const path& __p);
}
_GLIBCXX_END_NAMESPACE_VERSION
}
'''


@pytest.mark.parametrize("language", ["c", "cpp"])
def test_prototypes_in_a_body_made_up_by_error_recovery_are_kept(language: str) -> None:
    # C reads `_GLIBCXX_VISIBILITY(default) {…}` as the function, C++ `namespace filesystem {…}`.
    got = [(d.kind, d.start, d.end) for d in definitions(LIBSTDCXX, language) if d.name == "is_empty"]
    assert got == [("prototype", 7, 8)]


@pytest.mark.parametrize(
    ("source", "language"),
    [(GGML_H, "c"), (GGML_H, "cpp"), (GGML_OPT_H, "cpp"), (CPP_LOCALS, "cpp"), (C_TYPE_USES, "c"), (LIBSTDCXX, "c")],
)
def test_matching_window_by_window_changes_nothing(
    source: bytes, language: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    whole = tags.extract(source, language)
    monkeypatch.setattr(tags, "_MATCH_WINDOW", 16)
    assert tags.extract(source, language) == whole
