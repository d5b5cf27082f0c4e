-- The shipped-model classes moved from dev.glassbox.models to dev.glassbox.tinymodels (the package now names its
-- module, and "models" keeps one meaning: the model code in dev.glassbox.explorer.models). A learner's saved cell
-- or imported notebook that names the old package would no longer compile; rewrite it so no saved work is lost.
UPDATE cell_state SET code = replace(code, 'dev.glassbox.models.', 'dev.glassbox.tinymodels.')
    WHERE code LIKE '%dev.glassbox.models.%';
UPDATE draft_lesson SET markdown = replace(markdown, 'dev.glassbox.models.', 'dev.glassbox.tinymodels.')
    WHERE markdown LIKE '%dev.glassbox.models.%';
