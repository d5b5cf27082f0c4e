package dev.glassbox.web.pages;

import io.javalin.http.Context;
import io.javalin.rendering.FileRenderer;
import org.thymeleaf.TemplateEngine;
import org.thymeleaf.templatemode.TemplateMode;
import org.thymeleaf.templateresolver.ClassLoaderTemplateResolver;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;

/** Renders the page shells in classpath folder {@code templates/} with Thymeleaf. */
public final class ThymeleafRenderer implements FileRenderer {
    private final TemplateEngine engine = new TemplateEngine();

    public ThymeleafRenderer() {
        ClassLoaderTemplateResolver resolver = new ClassLoaderTemplateResolver(ThymeleafRenderer.class.getClassLoader());
        resolver.setPrefix("templates/");
        resolver.setTemplateMode(TemplateMode.HTML);
        resolver.setCharacterEncoding(StandardCharsets.UTF_8.name());
        resolver.setCacheable(true);
        engine.setTemplateResolver(resolver);
    }

    @Override
    public String render(String file, Map<String, ?> model, Context ctx) {
        ctx.contentType("text/html; charset=utf-8");
        return page(file, model);
    }

    /** The page {@code file} shows with {@code model}. */
    public String page(String file, Map<String, ?> model) {
        return engine.process(file, new org.thymeleaf.context.Context(Locale.ENGLISH, new java.util.HashMap<String, Object>(model)));
    }
}
