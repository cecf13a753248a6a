using System.Diagnostics;
using System.Text.RegularExpressions;

namespace PruningLab.NotebookRunner.Classroom;

/// <summary>
/// A complete repository for a GitHub Classroom assignment: the course as committed (library, tools, set-up,
/// devcontainer, README, experiments), with the lessons replaced by their releases and the classroom workflow added.
/// The tests, the benchmark and the CI script stay behind (they are the course's, and the tests expect solutions).
/// </summary>
public static partial class AssignmentTemplate
{
    private static readonly string[] LeftOut = ["tests/", "bench/", ".ci/", "notebooks/", ".github/"];

    /// <summary>Writes the template of the course at <paramref name="courseRoot"/> into <paramref name="outDir"/> (which must be empty or absent).</summary>
    public static void Write(string courseRoot, IReadOnlyList<string> lessonFiles, string outDir)
    {
        if (Directory.Exists(outDir) && Directory.EnumerateFileSystemEntries(outDir).Any())
            throw new ClassroomException($"'{outDir}' is not empty: give a new folder for the assignment's repository.");
        foreach (var file in TrackedFiles(courseRoot).Where(f => !LeftOut.Any(f.StartsWith)))
        {
            var target = Path.Combine(outDir, file);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(Path.Combine(courseRoot, file), target);
            if (!OperatingSystem.IsWindows())   // keeps ./course executable
                File.SetUnixFileMode(target, File.GetUnixFileMode(Path.Combine(courseRoot, file)));
        }
        var lessons = Release.Write(lessonFiles, Path.Combine(outDir, "notebooks"));
        var workflow = Path.Combine(outDir, ClassroomWorkflow.RelativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(workflow)!);
        File.WriteAllText(workflow, ClassroomWorkflow.Yaml(lessons));
        DropProjects(Path.Combine(outDir, "Course.sln"), Path.Combine(outDir, "Course.Build.slnf"));
        File.AppendAllText(Path.Combine(outDir, ".gitignore"), "/grading/\n/.instructor/\n");
    }

    /// <summary>The files under version control, as paths relative to the root with forward slashes.</summary>
    private static List<string> TrackedFiles(string root)
    {
        var start = new ProcessStartInfo("git", ["-C", root, "ls-files", "-z"]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var git = Process.Start(start) ?? throw new ClassroomException("git is needed to list the course's files.");
        var output = git.StandardOutput.ReadToEnd();
        git.WaitForExit();
        if (git.ExitCode != 0)
            throw new ClassroomException($"'git ls-files' failed in {root}: the template is made from a clone of the course. {git.StandardError.ReadToEnd().Trim()}");
        return output.Split('\0', StringSplitOptions.RemoveEmptyEntries).Where(f => File.Exists(Path.Combine(root, f))).ToList();
    }

    /// <summary>Removes the left-out projects from the solution and the build filter, so that both still build.</summary>
    private static void DropProjects(string solution, string buildFilter)
    {
        if (File.Exists(solution))
        {
            var text = File.ReadAllText(solution);
            var dropped = ProjectLine().Matches(text)
                .Where(m => LeftOut.Any(prefix => (m.Groups["path"].Value.Replace('\\', '/') + "/").StartsWith(prefix, StringComparison.Ordinal)))
                .Select(m => m.Groups["guid"].Value).ToList();
            text = ProjectBlock().Replace(text, m => dropped.Contains(m.Groups["guid"].Value) ? "" : m.Value);
            text = string.Join('\n', text.Split('\n').Where(line => !dropped.Any(guid => line.Contains(guid, StringComparison.OrdinalIgnoreCase))));
            File.WriteAllText(solution, text);
        }
        if (File.Exists(buildFilter))
        {
            var lines = File.ReadAllLines(buildFilter).Where(line => !LeftOut.Any(prefix => line.Contains($"\"{prefix}", StringComparison.Ordinal))).ToList();
            // The last project line of a JSON list has no trailing comma.
            var last = lines.FindLastIndex(l => l.TrimEnd().EndsWith("\","));
            if (last >= 0 && lines[last + 1].Trim() == "]") lines[last] = lines[last].TrimEnd().TrimEnd(',');
            File.WriteAllLines(buildFilter, lines);
        }
    }

    [GeneratedRegex(@"^Project\(""\{[^}]+\}""\) = ""[^""]*"", ""(?<path>[^""]*)"", ""(?<guid>\{[^}]+\})""", RegexOptions.Multiline)]
    private static partial Regex ProjectLine();

    [GeneratedRegex(@"^Project\(""\{[^}]+\}""\) = ""[^""]*"", ""[^""]*"", ""(?<guid>\{[^}]+\})""\r?\nEndProject\r?\n", RegexOptions.Multiline)]
    private static partial Regex ProjectBlock();
}
