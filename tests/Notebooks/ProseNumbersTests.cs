using System.Text.Json.Nodes;

namespace PruningLab.Tests.Notebooks;

public class ProseNumbersTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("pruninglab-prose-").FullName;
    public void Dispose() => Directory.Delete(dir, recursive: true);

    private (string Notebook, string Executed) Write(string markdown, string printed, Dictionary<string, string>? quoted = null)
    {
        JsonObject Notebook(JsonArray outputs) => new()
        {
            ["cells"] = new JsonArray(
                new JsonObject { ["cell_type"] = "markdown", ["metadata"] = new JsonObject(), ["source"] = markdown },
                new JsonObject { ["cell_type"] = "code", ["metadata"] = new JsonObject(), ["source"] = "", ["outputs"] = outputs }),
            ["metadata"] = new JsonObject
            {
                ["pruninglab"] = new JsonObject { ["quoted"] = new JsonObject((quoted ?? []).Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value))) },
            },
        };
        var notebook = Path.Combine(dir, "nb.ipynb");
        var executed = Path.Combine(dir, "executed.ipynb");
        File.WriteAllText(notebook, Notebook([]).ToJsonString());
        File.WriteAllText(executed, Notebook([new JsonObject { ["output_type"] = "stream", ["name"] = "stdout", ["text"] = printed }]).ToJsonString());
        return (notebook, executed);
    }

    [Fact]
    public void A_measured_number_in_the_prose_must_be_printed()
    {
        var (notebook, executed) = Write("Fine-tuning reaches 89.45 % at 90 % sparsity.", "at 90 % sparsity: 89.41 %");
        Assert.Equal(["89.45"], ProseNumbers.Unprinted(notebook, executed));
    }

    [Fact]
    public void Printed_numbers_match_in_any_notation_and_quoted_ones_need_no_cell()
    {
        var (notebook, executed) = Write(
            "The 60,000 images, 0.5 of them, 50.0 % in all; DRAM costs 640 pJ (Horowitz, 2014).",
            "60000 images; fraction 0.50; 50 %", new Dictionary<string, string> { ["640"] = "Horowitz (2014)" });
        Assert.Empty(ProseNumbers.Unprinted(notebook, executed));
    }

    [Fact]
    public void References_headings_code_years_and_list_markers_are_not_stated_numbers()
    {
        var (notebook, executed) = Write(
            "## 3 The data\n**Contents.** 1 Set-up · 2 Data\n\n1. first\nExercise 1.2 and lesson 05, see section 4; `fc1` and `x[7]`; Zhu & Gupta (2017).",
            "nothing");
        Assert.Empty(ProseNumbers.Unprinted(notebook, executed));
    }
}
