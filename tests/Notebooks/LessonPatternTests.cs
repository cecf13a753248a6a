using System.Text.Json;
using System.Text.RegularExpressions;

namespace PruningLab.Tests.Notebooks;

/// <summary>The lessons keep the course's shape: goals and contents first, one identical set-up cell, exercises followed by checks, a recap last.</summary>
public class LessonPatternTests
{
    private static List<JsonElement> Cells(string notebook)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(NotebookProcess.NotebooksFolder, notebook)));
        return document.RootElement.GetProperty("cells").EnumerateArray().Select(c => c.Clone()).ToList();
    }

    private static string Type(JsonElement cell) => cell.GetProperty("cell_type").GetString()!;

    [Theory]
    [MemberData(nameof(NotebookProcess.Lessons), MemberType = typeof(NotebookProcess))]
    public void Lesson_opens_with_goals_and_contents_and_ends_with_a_recap(string notebook)
    {
        Assert.Matches(new Regex(@"^\d\d_[a-z0-9_]+\.ipynb$"), notebook);
        var cells = Cells(notebook);
        var first = NotebookProcess.Source(cells[0]);
        Assert.Equal("markdown", Type(cells[0]));
        Assert.Contains("**Goals.**", first);
        Assert.Contains("**Contents.**", first);
        Assert.Equal("markdown", Type(cells[^1]));
        Assert.Contains("Recap", NotebookProcess.Source(cells[^1]));
    }

    [Theory]
    [MemberData(nameof(NotebookProcess.Lessons), MemberType = typeof(NotebookProcess))]
    public void Lesson_starts_with_the_same_set_up_cell_as_every_other(string notebook)
    {
        var reference = NotebookProcess.Lessons().Select(l => (string)l[0]).First();
        string SetUp(string nb) => NotebookProcess.Source(Cells(nb).First(c => Type(c) == "code"));
        Assert.Equal(SetUp(reference), SetUp(notebook));
        Assert.Contains("NotebookSetup.Run()", SetUp(notebook));
    }

    [Theory]
    [MemberData(nameof(NotebookProcess.Lessons), MemberType = typeof(NotebookProcess))]
    public void Every_exercise_holds_a_marked_solution_and_is_followed_by_its_check(string notebook)
    {
        var code = Cells(notebook).Where(c => Type(c) == "code").Select(NotebookProcess.Source).ToList();
        for (var i = 0; i < code.Count; i++)
        {
            var begins = Regex.Matches(code[i], "// BEGIN SOLUTION").Count;
            Assert.Equal(begins, Regex.Matches(code[i], "// END SOLUTION").Count);
            if (begins == 0) continue;
            Assert.True(i + 1 < code.Count && Regex.IsMatch(code[i + 1], @"\.Check\w*\("),
                $"{notebook}: the exercise in code cell {i + 1} must be followed by a check cell calling a Check method.");
        }
    }
}
