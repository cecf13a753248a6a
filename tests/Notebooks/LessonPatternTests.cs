using System.Text.Json;
using System.Text.RegularExpressions;

namespace PruningLab.Tests.Notebooks;

/// <summary>
/// The lessons keep the course's shape, read without running them: goals and contents first, one identical set-up
/// cell, exercises with staged hints and a check, predict-then-explain questions with hidden answers, short cells of
/// short lines, no mid-lesson Dispose, no results looked up by position, no casts in chart calls, a recap last.
/// </summary>
public partial class LessonPatternTests
{
    private const int MaxLineLength = 110;   // what the exported HTML shows without cutting
    private const int MaxCellLines = 24;

    private static List<JsonElement> Cells(string notebook) => NotebookProcess.Cells(Path.Combine(NotebookProcess.NotebooksFolder, notebook));
    private static string Type(JsonElement cell) => cell.GetProperty("cell_type").GetString()!;
    private static IEnumerable<string> Code(string notebook) => Cells(notebook).Where(c => Type(c) == "code").Select(NotebookProcess.Source);
    private static IEnumerable<string> Markdown(string notebook) => Cells(notebook).Where(c => Type(c) == "markdown").Select(NotebookProcess.Source);

    [GeneratedRegex(@"^[ \t]*// BEGIN SOLUTION.*?^[ \t]*// END SOLUTION[^\n]*$", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex Solution();

    [Theory]
    [MemberData(nameof(NotebookProcess.Lessons), MemberType = typeof(NotebookProcess))]
    public void Lesson_opens_with_goals_contents_and_time_and_ends_with_a_recap(string notebook)
    {
        Assert.Matches(new Regex(@"^\d\d_[a-z0-9_]+\.ipynb$"), notebook);
        var cells = Cells(notebook);
        var first = NotebookProcess.Source(cells[0]);
        Assert.Equal("markdown", Type(cells[0]));
        Assert.Contains("**Goals.**", first);
        Assert.Contains("**Contents.**", first);
        Assert.Contains("**Time.**", first);
        Assert.Equal("markdown", Type(cells[^1]));
        Assert.Contains("Recap", NotebookProcess.Source(cells[^1]));
    }

    [Theory]
    [MemberData(nameof(NotebookProcess.Lessons), MemberType = typeof(NotebookProcess))]
    public void Lesson_starts_with_the_same_set_up_cell_as_every_other(string notebook)
    {
        var reference = NotebookProcess.Lessons().Select(l => (string)l[0]).First();
        Assert.Equal(Code(reference).First(), Code(notebook).First());
        Assert.Contains("NotebookSetup.Run()", Code(notebook).First());
    }

    [Theory]
    [MemberData(nameof(NotebookProcess.Lessons), MemberType = typeof(NotebookProcess))]
    public void Every_exercise_has_staged_hints_a_marked_solution_and_a_check_after_it(string notebook)
    {
        var cells = Cells(notebook);
        for (var i = 0; i < cells.Count; i++)
        {
            if (Type(cells[i]) != "code") continue;
            var source = NotebookProcess.Source(cells[i]);
            var begins = Regex.Matches(source, "// BEGIN SOLUTION").Count;
            Assert.Equal(begins, Regex.Matches(source, "// END SOLUTION").Count);
            if (begins == 0) continue;
            var id = cells[i].GetProperty("metadata").GetProperty("pruninglab").GetProperty("exercise").GetString();
            var next = cells.Skip(i + 1).First(c => Type(c) == "code");
            Assert.Matches(@"\.Check\w*\(", NotebookProcess.Source(next));
            // The statement before the solution stages its hints: the idea first (no code), then more.
            var statement = NotebookProcess.Source(cells.Take(i).Last(c => Type(c) == "markdown"));
            var hints = Regex.Matches(statement, @"<details><summary>Hint (\d)[^<]*</summary>(.*?)</details>", RegexOptions.Singleline);
            Assert.True(hints.Count >= 2, $"{notebook}, exercise {id}: give at least two hints, the idea first.");
            Assert.Equal("1", hints[0].Groups[1].Value);
            Assert.DoesNotContain("`", hints[0].Groups[2].Value);
        }
    }

    [Theory]
    [MemberData(nameof(NotebookProcess.Lessons), MemberType = typeof(NotebookProcess))]
    public void Predict_then_explain_questions_hide_their_answers(string notebook)
    {
        var questions = Markdown(notebook).Where(m => m.Contains("**Predict, then explain.**")).ToList();
        Assert.NotEmpty(questions);
        Assert.All(questions, q => Assert.Matches(@"<details><summary>Answer[^<]*</summary>", q));
    }

    [Theory]
    [MemberData(nameof(NotebookProcess.Lessons), MemberType = typeof(NotebookProcess))]
    public void Code_cells_are_short_with_short_lines(string notebook)
    {
        foreach (var cell in Code(notebook))
        {
            var lines = cell.Split('\n');
            Assert.True(lines.Length <= MaxCellLines, $"{notebook}: a cell of {lines.Length} lines (at most {MaxCellLines}):\n{cell}");
            foreach (var line in lines)
                Assert.True(line.Length <= MaxLineLength, $"{notebook}: a line of {line.Length} characters (at most {MaxLineLength}):\n{line}");
        }
    }

    [Theory]
    [MemberData(nameof(NotebookProcess.Lessons), MemberType = typeof(NotebookProcess))]
    public void Cells_can_be_rerun_and_look_results_up_by_name(string notebook)
    {
        foreach (var cell in Code(notebook).Select(c => Solution().Replace(c, "")))
        {
            // Disposing a lesson-level object breaks re-running the cells that use it; `using` blocks are fine.
            Assert.DoesNotMatch(@"(?<!using\s*\([^)]*)\.Dispose\(\)", cell);
            // Results are found by name or setting, not by position (curves["x"][3], rows[0]).
            Assert.DoesNotMatch(@"\]\s*\[\s*\^?\d+\s*\]|\w\[\s*\^?\d+\s*\]\s*\.", cell);
            // Chart calls take the lesson's collections as they are.
            Assert.DoesNotMatch(@"\(IReadOnly\w+<[^;]*?>\)\s*[\w(\[]", cell);
        }
    }
}
