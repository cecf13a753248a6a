using System.Text.Json.Nodes;

namespace PruningLab.NotebookRunner.Classroom;

/// <summary>
/// The student release of a lesson: every solution region becomes a stub between markers, hidden checks are left
/// out, outputs and run data are cleared; everything else is the lesson, byte for byte in the same JSON layout. The
/// same input always gives the same file.
/// </summary>
public static class Release
{
    /// <summary>Returns the release of a lesson (validated first: see <see cref="LessonNotebook.ValidateAsSolution"/>).</summary>
    public static JsonObject Of(LessonNotebook lesson)
    {
        lesson.ValidateAsSolution();
        var document = lesson.Document.DeepClone().AsObject();
        var cells = document["cells"]!.AsArray();
        for (var i = cells.Count - 1; i >= 0; i--)
        {
            var cell = cells[i]!;
            var (role, id) = lesson.RoleOf(i);
            if (role == CellRole.HiddenCheck)
            {
                cells.RemoveAt(i);
                continue;
            }
            if (cell["cell_type"]?.GetValue<string>() != "code") continue;
            if (role == CellRole.Exercise)
                NotebookExecutor.SetSource(cell, Regions.ReplaceSolution(NotebookExecutor.SourceOf(cell), indent => Regions.Stub(id!, indent)));
            cell["outputs"] = new JsonArray();
            cell["execution_count"] = null;
            cell["metadata"]?.AsObject().Remove("execution_seconds");
        }
        document["metadata"]?.AsObject().Remove("pruninglab_run");
        return document;
    }

    /// <summary>The lessons with exercises among <paramref name="inputs"/> (files or folders), in name order.</summary>
    public static List<string> LessonFiles(IEnumerable<string> inputs) =>
        inputs.SelectMany(input => Directory.Exists(input)
                ? Directory.GetFiles(input, "*.ipynb").Where(f => char.IsAsciiDigit(Path.GetFileName(f)[0]))
                : File.Exists(input) ? [input] : throw new ClassroomException($"No notebook or folder at '{input}'."))
            .Select(Path.GetFullPath).Distinct().Order(StringComparer.Ordinal).ToList();

    /// <summary>
    /// Writes the release of each lesson into <paramref name="outDir"/>; returns the released lessons. A file there
    /// that differs from the release (a learner's work in progress) is never overwritten unless <paramref name="force"/>.
    /// </summary>
    public static List<LessonNotebook> Write(IEnumerable<string> lessonFiles, string outDir, bool force = false)
    {
        Directory.CreateDirectory(outDir);
        var releases = lessonFiles.Select(LessonNotebook.Load).Select(l => (Lesson: l, Text: Of(l).ToJsonString(NotebookJson.Options) + "\n")).ToList();
        var changed = releases.Select(r => Path.Combine(outDir, r.Lesson.Name))
            .Zip(releases, (target, r) => (target, r.Text)).Where(t => File.Exists(t.target) && File.ReadAllText(t.target) != t.Text)
            .Select(t => t.target).ToList();
        if (changed.Count > 0 && !force)
            throw new ClassroomException($"{string.Join(", ", changed)} already exist{(changed.Count == 1 ? "s" : "")} and differ{(changed.Count == 1 ? "s" : "")} " +
                $"from the release (your work?). Nothing was written. Move {(changed.Count == 1 ? "it" : "them")} away, or pass --force to overwrite {(changed.Count == 1 ? "it" : "them")}.");
        var released = new List<LessonNotebook>();
        foreach (var (lesson, text) in releases)
        {
            var target = Path.Combine(outDir, lesson.Name);
            AtomicWrite(target, text);
            released.Add(lesson);
            Console.WriteLine($"  {lesson.Name}: {Count(lesson.Exercises.Count, "exercise")} ({Count(lesson.TotalPoints, "point")}) stubbed");
        }
        return released;
    }

    /// <summary>"1 exercise", "3 exercises".</summary>
    public static string Count(int n, string noun) => $"{n} {noun}{(n == 1 ? "" : "s")}";

    /// <summary>Writes <paramref name="text"/> to a temporary file beside <paramref name="path"/>, then moves it in place.</summary>
    public static void AtomicWrite(string path, string text)
    {
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, text);
        File.Move(temporary, path, overwrite: true);
    }
}
