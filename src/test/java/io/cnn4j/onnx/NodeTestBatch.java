package io.cnn4j.onnx;

import io.cnn4j.Tensor;
import io.cnn4j.io.Npy;
import io.cnn4j.model.Model;
import io.cnn4j.model.ModelDescription;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Java side of python/e2e's ONNX node-test runner: runs many ONNX models in one JVM (one JVM per test would
 * cost more than the tests). Standard input: one case per line, {@code name<TAB>model.onnx<TAB>in0.npy,in1.npy<TAB>
 * out-prefix}. For each it prints {@code START name}, then {@code OK name <outputs>} after writing
 * {@code <out-prefix><i>.npy} per model output in order, {@code REFUSED name <message>} when loading or running
 * refuses with an IllegalArgumentException (cnn4j's documented refusal), or {@code ERROR name <class>: <message>} for
 * anything else. A line without an answer after its START is a crash of the JVM.
 */
public final class NodeTestBatch {
    private NodeTestBatch() {}

    public static void main(String[] args) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            String[] f = line.split("\t", -1);
            if (f.length != 4) {
                continue;
            }
            System.out.println("START " + f[0]);
            System.out.flush();
            System.out.println(runOne(f[0], Path.of(f[1]), f[2], f[3]));
            System.out.flush();
        }
    }

    private static String runOne(String name, Path model, String inputs, String outPrefix) {
        List<Tensor> opened = new ArrayList<>();
        try (Model m = Model.load(model)) {
            ModelDescription d = m.description();
            String[] files = inputs.isEmpty() ? new String[0] : inputs.split(",");
            if (files.length != d.inputs().size()) {
                throw new IllegalArgumentException("the model takes " + d.inputs().size() + " inputs, the test gives "
                        + files.length);
            }
            Map<String, Tensor> given = new LinkedHashMap<>();
            for (int i = 0; i < files.length; i++) {
                Tensor t = Npy.read(Path.of(files[i]));
                opened.add(t);
                given.put(d.inputs().get(i).name(), t);
            }
            Map<String, Tensor> out = m.run(given);
            opened.addAll(out.values());
            int i = 0;
            for (String id : d.outputs()) {
                Npy.write(Path.of(outPrefix + i++ + ".npy"), out.get(id));
            }
            return "OK " + name + " " + i;
        } catch (IllegalArgumentException e) {
            return "REFUSED " + name + " " + oneLine(e.getMessage());
        } catch (Throwable e) {
            return "ERROR " + name + " " + e.getClass().getName() + ": " + oneLine(e.getMessage());
        } finally {
            opened.forEach(Tensor::close);
        }
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.replace('\n', ' ').replace('\r', ' ');
    }
}
