using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace PruningLab.Tests.Notebooks;

/// <summary>The learners' copies (solutions replaced by stubs that throw) fail their checks politely and run to the end.</summary>
public class LearnerCopyTests(ITestOutputHelper output)
{
    public static IEnumerable<object[]> LessonsWithExercises() =>
        NotebookProcess.Lessons().Where(l => File.ReadAllText(Path.Combine(NotebookProcess.NotebooksFolder, (string)l[0])).Contains("// BEGIN SOLUTION"));

    [Theory]
    [MemberData(nameof(LessonsWithExercises))]
    public void A_stubbed_exercise_prints_a_failed_check_with_its_hint_and_the_notebook_goes_on(string notebook)
    {
        var outDir = Path.Combine(NotebookProcess.Root, "output", "test-runs", "learner");
        var result = NotebookProcess.RunOurs(Path.Combine(NotebookProcess.NotebooksFolder, notebook), outDir, stubSolutions: true);
        output.WriteLine(result.Output);
        var executed = Path.Combine(outDir, notebook);
        Assert.Empty(NotebookProcess.Errors(executed));
        Assert.Equal(0, result.ExitCode);
        var text = NotebookProcess.OutputText(executed);
        var exercises = Regex.Matches(File.ReadAllText(Path.Combine(NotebookProcess.NotebooksFolder, notebook)), "// BEGIN SOLUTION").Count;
        Assert.Equal(exercises, Regex.Matches(text, "✗ .*not implemented yet").Count);
        Assert.Equal(exercises, Regex.Matches(text, "Hint: ").Count);
        Assert.DoesNotContain("✓", text);
        Assert.Contains("NotImplementedException", File.ReadAllText(executed));
    }
}
