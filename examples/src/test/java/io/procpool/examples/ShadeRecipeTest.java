package io.procpool.examples;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Maven Shade recipe in the documentation (docs/jvm-flags.md, "A fat jar with Maven Shade") is the configuration
 * the examples' executable jar is built with, so that the recipe is a jar this build makes and starts
 * ({@code ExamplesJarIT}). The two may differ only where the page cannot say what the pom says: the root pom's
 * properties (the page gives their values) and the main class (the page's is {@code com.example.Main}). Comments,
 * indentation and line breaks are not compared.
 */
class ShadeRecipeTest {
    /** The page that shows the recipe, from the examples module's directory. */
    private static final Path RECIPE_PAGE = Path.of("..", "docs", "jvm-flags.md");
    private static final String RECIPE_MAIN_CLASS = "com.example.Main";
    /** The page's recipe: the one fenced XML block that is a shade {@code <configuration>}. */
    private static final Pattern RECIPE_BLOCK = Pattern.compile("```xml\\s*\\n(<configuration>.*?</configuration>)"
            + "\\s*\\n```", Pattern.DOTALL);

    @Test
    void shouldShowTheExamplesShadeConfigurationInTheDocs() throws IOException {
        String recipe = documentedRecipe();
        String examples = resolveProperties(examplesConfiguration(), Files.readString(Path.of("..", "pom.xml")))
                .replace("<mainClass>" + Demo.class.getName() + "</mainClass>",
                        "<mainClass>" + RECIPE_MAIN_CLASS + "</mainClass>");
        assertEquals(normal(examples), normal(recipe),
                RECIPE_PAGE + "'s Shade recipe and the configuration of examples/pom.xml's shade execution differ");
    }

    @Test
    void shouldShowARecipeWithTheStandardTransformersAndTheFlagsChronicleNeeds() throws IOException {
        String recipe = normal(documentedRecipe());
        String rootPom = Files.readString(Path.of("..", "pom.xml"));
        for (String part : new String[] {
            "<transformer implementation=\"org.apache.maven.plugins.shade.resource.ServicesResourceTransformer\"/>",
            "<transformer implementation=\"org.apache.maven.plugins.shade.resource.ManifestResourceTransformer\">",
            "<mainClass>" + RECIPE_MAIN_CLASS + "</mainClass>",
            "<Add-Opens>" + property(rootPom, "procpool.addOpens") + "</Add-Opens>",
            "<Add-Exports>" + property(rootPom, "procpool.addExports") + "</Add-Exports>",
            "<Enable-Native-Access>ALL-UNNAMED</Enable-Native-Access>",
            // A signed jar (Janino's, which Fory brings) would make the fat jar fail its signature check.
            "<exclude>META-INF/*.SF</exclude><exclude>META-INF/*.DSA</exclude><exclude>META-INF/*.RSA</exclude>",
        }) {
            assertTrue(recipe.contains(part), RECIPE_PAGE + "'s Shade recipe lacks " + part + ": " + recipe);
        }
    }

    private static String documentedRecipe() throws IOException {
        Matcher block = RECIPE_BLOCK.matcher(Files.readString(RECIPE_PAGE));
        assertTrue(block.find(), RECIPE_PAGE + " shows no Maven Shade <configuration> in an ```xml block");
        String recipe = block.group(1);
        assertTrue(!block.find(), RECIPE_PAGE + " shows more than one Maven Shade <configuration>");
        return recipe;
    }

    /** {@return the {@code <configuration>} of the execution of the shade plugin in examples/pom.xml} */
    private static String examplesConfiguration() throws IOException {
        String pom = Files.readString(Path.of("pom.xml"));
        int plugin = pom.indexOf("<artifactId>maven-shade-plugin</artifactId>");
        assertTrue(plugin >= 0, "examples/pom.xml has no maven-shade-plugin");
        String shade = pom.substring(plugin, pom.indexOf("</plugin>", plugin));
        String execution = shade.substring(shade.indexOf("<execution>"), shade.indexOf("</execution>"));
        int start = execution.indexOf("<configuration>");
        assertTrue(start >= 0, "the shade execution in examples/pom.xml has no <configuration>");
        String end = "</configuration>";
        return execution.substring(start, execution.indexOf(end, start) + end.length());
    }

    /** {@return the text with each {@code ${name}} replaced by the root pom's property of that name} */
    private static String resolveProperties(String text, String rootPom) {
        Matcher reference = Pattern.compile("\\$\\{([^}]+)}").matcher(text);
        StringBuilder resolved = new StringBuilder();
        while (reference.find()) {
            reference.appendReplacement(resolved, Matcher.quoteReplacement(property(rootPom, reference.group(1))));
        }
        return reference.appendTail(resolved).toString();
    }

    private static String property(String rootPom, String name) {
        Matcher value = Pattern.compile("<" + Pattern.quote(name) + ">([^<]*)</" + Pattern.quote(name) + ">")
                .matcher(rootPom);
        assertTrue(value.find(), "the root pom defines no property " + name);
        return value.group(1).trim();
    }

    /** {@return the XML without comments, and with no white space between elements and single spaces within} */
    private static String normal(String xml) {
        return xml.replaceAll("(?s)<!--.*?-->", "").replaceAll("\\s+", " ").replaceAll(">\\s+<", "><").trim();
    }
}
