package io.cnn4j.weights;

import io.cnn4j.Limits;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Interprets the {@code data.pkl} pickle of a {@code torch.save(model.state_dict())} file without running anything.
 *
 * <p>Python's unpickler imports and calls whatever a pickle names, which is how a malicious {@code .pt} file runs
 * code. This one knows a fixed allow-list of globals, each replaced by a Java action that builds an inert value (a
 * dict, a storage reference, a tensor view); any other global is refused as soon as it is read. Only the opcodes
 * torch's pickler emits (protocol 2, plus the protocol 4 framing opcodes) are implemented; anything else is refused.
 * Every opcode builds at most one value of a few dozen bytes, or copies bytes it read, and the opcodes run, the
 * values on the stack and the memo's entries are capped ({@link Limits#PICKLE_OPCODES}, {@link
 * Limits#PICKLE_STACK}, {@link Limits#PICKLE_MEMO}), so the memory a pickle takes is bounded by a small factor of
 * its size and by those limits whatever it holds; nothing recurses, and dict keys are strings, so no hostile
 * structure can overflow the Java stack.
 */
final class StateDictUnpickler {
    /** A storage as a persistent id names it: {@code ('storage', torch.FloatStorage, key, location, numel)}. */
    record StorageRef(String key, ElementType type, String typeName, long numel) {}

    /** A tensor as {@code torch._utils._rebuild_tensor_v2} describes it: a strided view of a storage (elements). */
    record TensorRef(StorageRef storage, long offset, long[] size, long[] stride) {}

    /** A Python tuple; identity equality, so a hostile cyclic structure is never hashed or compared. */
    static final class Tuple {
        final List<Object> items;

        Tuple(List<Object> items) {
            this.items = items;
        }
    }

    private record Global(String module, String name) {
        @Override
        public String toString() {
            return module + "." + name;
        }
    }

    private static final Object MARK = new Object();
    private static final Object NONE = new Object();

    private static final Global ORDERED_DICT = new Global("collections", "OrderedDict");
    private static final Global REBUILD_TENSOR = new Global("torch._utils", "_rebuild_tensor_v2");
    private static final Global REBUILD_PARAMETER = new Global("torch._utils", "_rebuild_parameter");
    private static final Global RESTORE_TYPE_TAG = new Global("torch.jit._pickle", "restore_type_tag");

    private static final Map<String, ElementType> STORAGE_TYPES = Map.of(
            "FloatStorage", ElementType.F32, "HalfStorage", ElementType.F16, "BFloat16Storage", ElementType.BF16,
            "DoubleStorage", ElementType.F64, "LongStorage", ElementType.I64, "IntStorage", ElementType.I32,
            "ShortStorage", ElementType.I16, "CharStorage", ElementType.I8, "ByteStorage", ElementType.U8,
            "BoolStorage", ElementType.BOOL);

    /** Globals torch uses for tensors cnn4j does not read: refused with a hint rather than as foreign code. */
    private static final Set<String> UNSUPPORTED_TENSOR_GLOBALS = Set.of(
            "torch._utils._rebuild_tensor_v3", "torch.storage.UntypedStorage", "torch._utils._rebuild_qtensor",
            "torch._utils._rebuild_sparse_tensor", "torch._utils._rebuild_nested_tensor",
            "torch._utils._rebuild_wrapper_subclass", "torch._utils._rebuild_meta_tensor_no_storage",
            "torch._tensor._rebuild_from_type_v2", "torch._utils._rebuild_parameter_with_state");

    private final String source;
    private final PickleBytes in;
    private final List<Object> stack = new ArrayList<>();
    private final List<Integer> marks = new ArrayList<>();
    private final Map<Long, Object> memo = new HashMap<>();
    private final Map<String, StorageRef> storages = new HashMap<>();
    // The limits in force, read once per pickle.
    private final long maxOpcodes = Limits.PICKLE_OPCODES.value();
    private final long maxStack = Limits.PICKLE_STACK.value();
    private final long maxMemo = Limits.PICKLE_MEMO.value();

    private StateDictUnpickler(String source, byte[] bytes) {
        this.source = source;
        this.in = new PickleBytes(bytes, this::fail);
    }

    /**
     * The state_dict in {@code pickle}: tensor views by name, in pickle order.
     *
     * @param source names the file in messages
     */
    static Map<String, TensorRef> load(String source, byte[] pickle) {
        Object root = new StateDictUnpickler(source, pickle).run();
        if (!(root instanceof Map<?, ?> dict)) {
            throw new WeightsFormatException(source, "data.pkl holds " + describe(root) + ", not a state_dict "
                    + "(a dict of tensors): save the weights with torch.save(model.state_dict(), path)");
        }
        if (Limits.TENSORS.exceeded(dict.size())) {
            throw new WeightsFormatException(source, Limits.TENSORS.problem("the state_dict"));
        }
        Map<String, TensorRef> tensors = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : dict.entrySet()) {
            if (!(e.getValue() instanceof TensorRef t)) {
                throw new WeightsFormatException(source, "state_dict entry '" + e.getKey() + "' is "
                        + describe(e.getValue()) + ", not a tensor: the file must hold only model.state_dict() "
                        + "(torch.save(model.state_dict(), path))");
            }
            tensors.put((String) e.getKey(), t);
        }
        return tensors;
    }

    private Object run() {
        for (long opcodes = 1; ; opcodes++) {
            if (in.atEnd()) {
                throw fail("data.pkl ends without a STOP opcode (truncated?)");
            }
            if (opcodes > maxOpcodes) {
                throw fail(Limits.PICKLE_OPCODES.problem("data.pkl (at byte " + in.position() + ")"));
            }
            int at = in.position();
            int op = in.u8();
            switch (op) {
                case 0x80 -> { // PROTO
                    int protocol = in.u8();
                    if (protocol > 5) {
                        throw fail("data.pkl uses pickle protocol " + protocol + "; protocols up to 5 are known");
                    }
                }
                case 0x95 -> in.bytesOf(8); // FRAME: a length hint only
                case '.' -> { // STOP
                    return pop();
                }
                case '(' -> { // MARK
                    marks.add(stack.size());
                    checkStack();
                }
                case '0' -> pop(); // POP
                case '1' -> popMark(); // POP_MARK
                case '2' -> push(peek()); // DUP
                case 'N' -> push(NONE);
                case 0x88 -> push(Boolean.TRUE); // NEWTRUE
                case 0x89 -> push(Boolean.FALSE); // NEWFALSE
                case 'K' -> push((long) in.u8()); // BININT1
                case 'M' -> push((long) (in.u8() | in.u8() << 8)); // BININT2
                // BININT: signed 32 bits
                case 'J' -> push((long) (in.u8() | in.u8() << 8 | in.u8() << 16 | in.u8() << 24));
                case 0x8a -> push(in.littleEndianLong(in.u8())); // LONG1
                case 0x8b -> push(in.littleEndianLong(in.lengthOf(4))); // LONG4
                case 'G' -> push(Double.longBitsToDouble(PickleBytes.bigEndianLong(in.bytesOf(8)))); // BINFLOAT
                case 'X' -> push(in.utf8(in.lengthOf(4))); // BINUNICODE
                case 0x8c -> push(in.utf8(in.u8())); // SHORT_BINUNICODE
                case 0x8d -> push(in.utf8(in.lengthOf(8))); // BINUNICODE8
                case 'c' -> push(resolve(in.line(), in.line())); // GLOBAL
                case 0x93 -> { // STACK_GLOBAL
                    Object name = pop();
                    Object module = pop();
                    if (!(module instanceof String m) || !(name instanceof String n)) {
                        throw fail("data.pkl has a STACK_GLOBAL whose module or name is not a string");
                    }
                    push(resolve(m, n));
                }
                case ')' -> push(new Tuple(List.of())); // EMPTY_TUPLE
                case 't' -> push(new Tuple(popMark())); // TUPLE
                case 0x85 -> push(tupleOfTop(1)); // TUPLE1
                case 0x86 -> push(tupleOfTop(2)); // TUPLE2
                case 0x87 -> push(tupleOfTop(3)); // TUPLE3
                case ']' -> push(new ArrayList<>()); // EMPTY_LIST
                case 'l' -> push(new ArrayList<>(popMark())); // LIST
                case 'a' -> { // APPEND
                    Object item = pop();
                    list(peek()).add(item);
                }
                case 'e' -> { // APPENDS
                    List<Object> items = popMark();
                    list(peek()).addAll(items);
                }
                case '}' -> push(new LinkedHashMap<String, Object>()); // EMPTY_DICT
                case 'd' -> { // DICT
                    List<Object> items = popMark();
                    Map<String, Object> dict = new LinkedHashMap<>();
                    setItems(dict, items);
                    push(dict);
                }
                case 's' -> { // SETITEM
                    Object value = pop();
                    Object key = pop();
                    setItems(dict(peek()), List.of(key, value));
                }
                case 'u' -> { // SETITEMS
                    List<Object> items = popMark();
                    setItems(dict(peek()), items);
                }
                case 'q' -> memoPut(in.u8()); // BINPUT
                case 'r' -> memoPut(PickleBytes.littleEndianUnsigned(in.bytesOf(4))); // LONG_BINPUT
                case 0x94 -> memoPut(memo.size()); // MEMOIZE
                case 'h' -> push(memoGet(in.u8())); // BINGET
                case 'j' -> push(memoGet(PickleBytes.littleEndianUnsigned(in.bytesOf(4)))); // LONG_BINGET
                case 'Q' -> push(persistentLoad(pop())); // BINPERSID
                case 'R' -> { // REDUCE
                    Object args = pop();
                    Object callable = pop();
                    push(reduce(callable, args));
                }
                case 'b' -> { // BUILD: torch sets _metadata (module versions) on the OrderedDict; not needed
                    pop();
                    dict(peek());
                }
                default -> throw fail("data.pkl has pickle opcode 0x" + Integer.toHexString(op)
                        + (op >= 0x20 && op < 0x7f ? " ('" + (char) op + "')" : "") + " at byte " + at
                        + ", which a state_dict does not use");
            }
        }
    }

    /** The allow-list: every global a state_dict may name becomes an inert token; the rest are refused here. */
    private Object resolve(String module, String name) {
        Global global = new Global(module, name);
        if (global.equals(ORDERED_DICT) || global.equals(REBUILD_TENSOR) || global.equals(REBUILD_PARAMETER)
                || global.equals(RESTORE_TYPE_TAG)) {
            return global;
        }
        if (module.equals("torch") && STORAGE_TYPES.containsKey(name)) {
            return global;
        }
        if (UNSUPPORTED_TENSOR_GLOBALS.contains(global.toString())
                || (module.equals("torch") && name.endsWith("Storage"))) {
            throw fail("data.pkl holds a tensor kind cnn4j does not read (" + global + "); cnn4j reads dense "
                    + "float32, float16, bfloat16 and float64 tensors: convert with tensor.float() before saving");
        }
        throw fail("refusing to load: data.pkl references " + global + ", which is not allowed in a state_dict "
                + "(cnn4j reads tensors only and never runs code from a weights file; save the weights with "
                + "torch.save(model.state_dict(), path))");
    }

    /** {@code ('storage', torch.XStorage, key, location, numel)}; one key always names the same storage. */
    private StorageRef persistentLoad(Object pid) {
        List<Object> t = tuple(pid, "a persistent id");
        if (t.size() != 5 || !"storage".equals(t.get(0)) || !(t.get(1) instanceof Global type)
                || !(t.get(2) instanceof String key) || !(t.get(3) instanceof String)
                || !(t.get(4) instanceof Long numel) || numel < 0 || !STORAGE_TYPES.containsKey(type.name)) {
            throw fail("data.pkl has a persistent id that is not ('storage', torch.<Type>Storage, key, location, "
                    + "numel)");
        }
        ElementType elementType = STORAGE_TYPES.get(type.name);
        StorageRef ref = new StorageRef(key, elementType, elementType.torchName + " (" + type + ")", numel);
        StorageRef known = storages.putIfAbsent(key, ref);
        if (known != null && !known.equals(ref)) {
            throw fail("data.pkl names storage '" + key + "' twice with different types or sizes ("
                    + known.typeName + " of " + known.numel + ", " + ref.typeName + " of " + ref.numel + ")");
        }
        return known != null ? known : ref;
    }

    private Object reduce(Object callable, Object argsObject) {
        if (!(callable instanceof Global global)) {
            throw fail("data.pkl calls " + describe(callable) + ", which is not a function");
        }
        List<Object> args = tuple(argsObject, "the arguments of " + global);
        if (global.equals(ORDERED_DICT)) {
            if (!args.isEmpty()) {
                throw fail("data.pkl builds an OrderedDict from arguments; a state_dict builds it empty");
            }
            return new LinkedHashMap<String, Object>();
        }
        if (global.equals(REBUILD_TENSOR)) {
            return rebuildTensor(args);
        }
        if (global.equals(REBUILD_PARAMETER)) { // (data, requires_grad, backward_hooks)
            if (args.size() != 3 || !(args.get(0) instanceof TensorRef)) {
                throw fail("data.pkl calls " + global + " with arguments other than (tensor, requires_grad, hooks)");
            }
            return args.get(0);
        }
        if (global.equals(RESTORE_TYPE_TAG)) { // (value, type string) from libtorch's pickler: the identity
            if (args.size() != 2 || !(args.get(1) instanceof String)) {
                throw fail("data.pkl calls " + global + " with arguments other than (value, type)");
            }
            return args.get(0);
        }
        throw fail("data.pkl calls " + global + ", which is not a function");
    }

    /** {@code (storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])}. */
    private TensorRef rebuildTensor(List<Object> args) {
        if (args.size() < 6 || args.size() > 7 || !(args.get(0) instanceof StorageRef storage)
                || !(args.get(1) instanceof Long offset) || !(args.get(4) instanceof Boolean)) {
            throw fail("data.pkl calls " + REBUILD_TENSOR + " with arguments other than (storage, storage_offset, "
                    + "size, stride, requires_grad, backward_hooks[, metadata])");
        }
        if (args.get(2) instanceof Tuple t && Limits.RANK.exceeded(t.items.size())) {
            throw fail(Limits.RANK.problem("a tensor's size in data.pkl"));
        }
        long[] size = longs(args.get(2), "tensor size");
        long[] stride = longs(args.get(3), "tensor stride");
        if (size.length != stride.length) {
            throw fail("data.pkl has a tensor with " + size.length + " sizes but " + stride.length + " strides");
        }
        if (args.size() == 7 && !(args.get(6) instanceof Map<?, ?> metadata && metadata.isEmpty())) {
            throw fail("data.pkl has a tensor with metadata (conjugate or negative bit set); save "
                    + "tensor.resolve_conj().resolve_neg() instead");
        }
        return new TensorRef(storage, offset, size, stride);
    }

    private long[] longs(Object o, String what) {
        List<Object> items = tuple(o, what);
        long[] out = new long[items.size()];
        for (int i = 0; i < out.length; i++) {
            if (!(items.get(i) instanceof Long v)) {
                throw fail("data.pkl has a " + what + " that is not a tuple of ints");
            }
            out[i] = v;
        }
        return out;
    }

    private List<Object> tuple(Object o, String what) {
        if (!(o instanceof Tuple t)) {
            throw fail("data.pkl has " + describe(o) + " where " + what + " (a tuple) belongs");
        }
        return t.items;
    }

    @SuppressWarnings("unchecked")
    private List<Object> list(Object o) {
        if (!(o instanceof ArrayList<?>)) {
            throw fail("data.pkl appends to " + describe(o) + ", not a list");
        }
        return (List<Object>) o;
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> dict(Object o) {
        if (!(o instanceof LinkedHashMap<?, ?>)) {
            throw fail("data.pkl sets items or state on " + describe(o) + ", not a dict");
        }
        return (Map<String, Object>) o;
    }

    private void setItems(Map<String, Object> dict, List<Object> keysAndValues) {
        if (keysAndValues.size() % 2 != 0) {
            throw fail("data.pkl sets dict items from an odd number of values");
        }
        for (int i = 0; i < keysAndValues.size(); i += 2) {
            if (!(keysAndValues.get(i) instanceof String key)) {
                throw fail("data.pkl has a dict key that is " + describe(keysAndValues.get(i))
                        + "; state_dict keys are strings");
            }
            dict.put(key, keysAndValues.get(i + 1));
        }
    }

    private Tuple tupleOfTop(int n) {
        if (stack.size() - n < currentMarkFloor()) {
            throw fail("data.pkl builds a tuple from more values than the stack holds");
        }
        List<Object> top = stack.subList(stack.size() - n, stack.size());
        List<Object> items = List.copyOf(top);
        top.clear();
        return new Tuple(items);
    }

    private List<Object> popMark() {
        if (marks.isEmpty()) {
            throw fail("data.pkl pops a MARK that was never pushed");
        }
        int mark = marks.remove(marks.size() - 1);
        List<Object> top = stack.subList(mark, stack.size());
        List<Object> items = new ArrayList<>(top);
        top.clear();
        return items;
    }

    private int currentMarkFloor() {
        return marks.isEmpty() ? 0 : marks.get(marks.size() - 1);
    }

    private void push(Object o) {
        stack.add(o);
        checkStack();
    }

    private void checkStack() {
        if (stack.size() + marks.size() > maxStack) {
            throw fail(Limits.PICKLE_STACK.problem("data.pkl (at byte " + (in.position() - 1) + ")"));
        }
    }

    private void memoPut(long index) {
        Object value = peek();
        if (memo.put(index, value) == null && memo.size() > maxMemo) {
            throw fail(Limits.PICKLE_MEMO.problem("data.pkl (at byte " + (in.position() - 1) + ")"));
        }
    }

    private Object pop() {
        if (stack.size() <= currentMarkFloor()) {
            throw fail("data.pkl pops from an empty stack at byte " + (in.position() - 1));
        }
        return stack.remove(stack.size() - 1);
    }

    private Object peek() {
        if (stack.size() <= currentMarkFloor()) {
            throw fail("data.pkl reads from an empty stack at byte " + (in.position() - 1));
        }
        return stack.get(stack.size() - 1);
    }

    private Object memoGet(long index) {
        Object o = memo.get(index);
        if (o == null) {
            throw fail("data.pkl reads memo entry " + index + ", which was never stored");
        }
        return o;
    }

    private WeightsFormatException fail(String problem) {
        return new WeightsFormatException(source, problem);
    }

    /** A value's kind for messages; never its contents, which may be huge or cyclic. */
    private static String describe(Object o) {
        if (o == NONE) {
            return "None";
        }
        if (o instanceof Global g) {
            return g.toString();
        }
        if (o instanceof String) {
            return "a string";
        }
        if (o instanceof Long || o instanceof Boolean || o instanceof Double) {
            return "a number";
        }
        if (o instanceof Tuple) {
            return "a tuple";
        }
        if (o instanceof List<?>) {
            return "a list";
        }
        if (o instanceof Map<?, ?>) {
            return "a dict";
        }
        if (o instanceof StorageRef) {
            return "a storage";
        }
        if (o instanceof TensorRef) {
            return "a tensor";
        }
        return "a " + o.getClass().getSimpleName();
    }
}
