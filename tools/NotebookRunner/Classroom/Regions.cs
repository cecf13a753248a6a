using System.Text.RegularExpressions;

namespace PruningLab.NotebookRunner.Classroom;

/// <summary>
/// The marked regions of exercise cells. In the lessons (the instructor's notebooks) the answer lies between
/// <c>// BEGIN SOLUTION</c> and <c>// END SOLUTION</c>. In a release it becomes a stub between
/// <c>// BEGIN YOUR CODE (exercise 1.2)</c> and <c>// END YOUR CODE</c>: the learner writes there, and the grader
/// reads only what lies between those two lines.
/// </summary>
public static partial class Regions
{
    [GeneratedRegex(@"^(?<indent>[ \t]*)// BEGIN SOLUTION[^\n]*\n(?<body>.*?)^[ \t]*// END SOLUTION[^\n]*(\n|$)", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex Solution();

    [GeneratedRegex(@"^(?<indent>[ \t]*)// BEGIN YOUR CODE \(exercise (?<id>[^)\s]+)\)[^\n]*\n(?<body>.*?)^[ \t]*// END YOUR CODE[^\n]*(\n|$)", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex Answer();

    /// <summary>How many solution regions a cell's source holds.</summary>
    public static int SolutionCount(string source) => Solution().Matches(source).Count;

    /// <summary>The lines a learner starts from: the markers around a stub that throws.</summary>
    public static string Stub(string id, string indent = "    ") => Marked(id, indent,
        $"{indent}// YOUR CODE HERE\n{indent}throw new NotImplementedException(\"Exercise {id}: replace this line with your code.\");\n");

    /// <summary>The lines of an answer between the markers (the body ends with a newline).</summary>
    public static string Marked(string id, string indent, string body) =>
        $"{indent}// BEGIN YOUR CODE (exercise {id})\n{body}{(body.Length == 0 || body.EndsWith('\n') ? "" : "\n")}{indent}// END YOUR CODE\n";

    /// <summary>Replaces the (one) solution region of an exercise cell's source with <paramref name="replacement"/>(indent).</summary>
    public static string ReplaceSolution(string source, Func<string, string> replacement) =>
        Solution().Replace(source, match => replacement(match.Groups["indent"].Value), 1);

    /// <summary>
    /// The answers in a learner's cell: the body between <c>// BEGIN YOUR CODE (exercise id)</c> and
    /// <c>// END YOUR CODE</c>, by exercise id. A solution region of a cell tagged as <paramref name="exerciseOfCell"/>
    /// counts too, so that the lessons themselves can be graded (they score full marks).
    /// </summary>
    public static IEnumerable<(string Id, string Body)> Answers(string source, string? exerciseOfCell)
    {
        foreach (Match match in Answer().Matches(source))
            yield return (match.Groups["id"].Value, match.Groups["body"].Value);
        if (exerciseOfCell is not null)
            foreach (Match match in Solution().Matches(source))
                yield return (exerciseOfCell, match.Groups["body"].Value);
    }
}
