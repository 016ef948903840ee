package io.cnn4j.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The model JSON's tree parser builds the tree ObjectMapper.readTree builds, and refuses what is not one value. */
class JsonTreeTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @Test
    void sameTreeAsObjectMapper() throws Exception {
        String[] texts = {
            Files.readString(Path.of("models/lenet5-mnist.json")),
            "{\"a\": [1, -2, 2147483648, 123456789012345678901234567890, 1.5, -0.0, 1e300, 1E-7],"
                    + " \"b\": {\"c\": null, \"d\": true, \"e\": false, \"f\": \"\\u00e9\\n\"}, \"g\": []}",
            "{\"k\": 1, \"k\": 2}",
            "  {}  ",
        };
        for (String text : texts) {
            assertEquals(MAPPER.readTree(text), JsonTree.parse(text), text);
        }
        assertEquals(2, JsonTree.parse("{\"k\": 1, \"k\": 2}").get("k").intValue(), "a repeated key keeps its last value");
        assertTrue(JsonTree.parse("{\"n\": 2147483648}").get("n").isLong());
    }

    @Test
    void refusesWhatIsNotOneJsonValue() {
        for (String bad : new String[] {"", "   ", "{\"a\": 1} {}", "{\"a\": 1", "{\"a\": [1, 2}", "{a: 1}",
                "{\"a\": 1,}", "{\"a\": 01}"}) {
            assertThrows(JsonProcessingException.class, () -> JsonTree.parse(bad), bad);
        }
        String deep = "{\"a\":".repeat(5000) + "1" + "}".repeat(5000);
        assertThrows(JsonProcessingException.class, () -> JsonTree.parse(deep), "nesting beyond the parser's bound");
    }

    @Test
    void modelFileWithTextAfterItsObjectIsRefusedWithTheLine(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("lenet5-mnist.json");
        Files.writeString(json, Files.readString(Path.of("models/lenet5-mnist.json")).strip() + "\n{\"x\": 1}\n");
        Files.copy(Path.of("models/lenet5-mnist.safetensors"), dir.resolve("lenet5-mnist.safetensors"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Model.load(json));
        assertTrue(e.getMessage().contains("is not valid JSON: Unexpected text after the JSON object")
                && e.getMessage().contains("(line 24, column 2)"), e.getMessage());
    }
}
