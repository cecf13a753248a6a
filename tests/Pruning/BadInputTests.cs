using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using PruningLab.Models;
using PruningLab.Pruning;
using static TorchSharp.torch;

namespace PruningLab.Tests.Pruning;

/// <summary>Inputs that used to slip through the pruning API: each now fails with a message that says what is wrong.</summary>
public class BadInputTests
{
    private static IReadOnlyList<Diagnostic> Compile(string statement)
    {
        var source = $$"""
            using PruningLab.Pruning;
            static class Snippet { static void Run() { {{statement}} } }
            """;
        var references = AppDomain.CurrentDomain.GetAssemblies()
            .Where(a => !a.IsDynamic && a.Location.Length > 0)
            .Select(a => MetadataReference.CreateFromFile(a.Location))
            .Append(MetadataReference.CreateFromFile(typeof(Scope).Assembly.Location));
        var compilation = CSharpCompilation.Create("snippet", [CSharpSyntaxTree.ParseText(source)], references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        return compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
    }

    [Theory]
    [InlineData("Scope.Uniform(1);")]
    [InlineData("Scope.Global(0);")]
    [InlineData("Amount a = 3L;")]
    public void An_integer_amount_does_not_compile_and_the_error_points_to_Exactly(string statement)
    {
        var error = Assert.Single(Compile(statement));
        Assert.Equal("CS0619", error.Id);   // use of a member marked [Obsolete(error: true)]
        Assert.Contains("Amount.Exactly(n)", error.GetMessage());
        Assert.Contains("torch reads amount=1 as one weight", error.GetMessage());
    }

    [Theory]
    [InlineData("Scope.Uniform(1.0);")]
    [InlineData("Scope.Global(0.5);")]
    [InlineData("Scope.Uniform(Amount.Exactly(1));")]
    public void Fractions_and_counts_compile(string statement) => Assert.Empty(Compile(statement));

    [Fact]
    public void Scope_cannot_be_subclassed_outside_the_library()
    {
        // Prune knows every scope; an unknown one would silently prune nothing. No constructor is visible outside.
        var constructors = typeof(Scope).GetConstructors(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic);
        Assert.All(constructors, c => Assert.False(c.IsPublic || c.IsFamily || c.IsFamilyOrAssembly, c.ToString()));
    }

    [Theory]
    [InlineData(float.PositiveInfinity, "0 NaN and 1 infinite")]
    [InlineData(float.NegativeInfinity, "0 NaN and 1 infinite")]
    [InlineData(float.NaN, "1 NaN and 0 infinite")]
    public void Non_finite_weights_name_the_layer_and_change_nothing(float bad, string expected)
    {
        using var scope = NewDisposeScope();
        using var model = Tiny.TwoLayers();
        using (no_grad()) Tiny.Weight(model, "fc2.weight")[2, 1] = tensor(bad);
        using var masks = ModelMasks.For(model);
        var error = Assert.Throws<ArgumentException>(() => masks.Prune(Scope.Global(0.5)));
        Assert.Contains("'fc2.weight' contains " + expected, error.Message);
        Assert.Equal(0, masks.Zeros);
        Assert.Equal(0.5f, Tiny.Flat(Tiny.Weight(model, "fc1.weight"))[0]);
        Assert.Throws<ArgumentException>(() => MagnitudePruning.PruneTensor(tensor(new[] { 1f, bad }), 0.5));
    }

    private sealed class FixedScores(Func<Tensor, Tensor> score) : IImportance
    {
        public Tensor Score(string name, Tensor weight) => score(weight);
        public override string ToString() => "test scores";
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    [InlineData(-1f)]
    public void NaN_infinite_or_negative_scores_name_the_criterion_and_the_layer(float bad)
    {
        using var scope = NewDisposeScope();
        using var model = Tiny.TwoLayers();
        using var masks = ModelMasks.For(model);
        var criterion = new FixedScores(w => { var s = w.abs(); s[0, 0] = tensor(bad); return s; });
        var error = Assert.Throws<ArgumentException>(() => masks.Prune(Scope.Uniform(0.5), criterion));
        Assert.Contains("test scores", error.Message);
        Assert.Contains("'fc1.weight'", error.Message);
        Assert.Contains("finite and non-negative", error.Message);
        Assert.Equal(0, masks.Zeros);
    }

    [Fact]
    public void Scores_of_the_wrong_shape_are_refused()
    {
        using var scope = NewDisposeScope();
        using var model = Tiny.TwoLayers();
        using var masks = ModelMasks.For(model);
        var error = Assert.Throws<ArgumentException>(() => masks.Prune(Scope.Uniform(0.5), new FixedScores(w => w.abs().flatten())));
        Assert.Contains("shape [8]", error.Message);
        Assert.Contains("[2,4]", error.Message);
    }

    [Fact]
    public void Using_masks_after_Dispose_says_so()
    {
        using var model = Tiny.TwoLayers();
        var masks = ModelMasks.For(model);
        masks.Dispose();
        masks.Dispose();   // twice is harmless
        foreach (var use in new Action[] { () => masks.Prune(Scope.Uniform(0.5)), () => masks.PruneTo(0.5), () => masks.Apply(),
                     () => masks.Restore(), () => _ = masks.Report(), () => _ = masks["fc1"], () => _ = masks.Sparsity })
        {
            var error = Assert.Throws<ObjectDisposedException>(use);
            Assert.Contains("These masks were disposed", error.Message);
        }
    }

    [Fact]
    public void Using_masks_of_a_disposed_model_says_so()
    {
        var model = ModelZoo.Create(ModelZoo.LeNet300100, seed: 0);
        using var masks = ModelMasks.For(model);
        model.Dispose();
        var error = Assert.Throws<ObjectDisposedException>(() => masks.Prune(Scope.Uniform(0.5)));
        Assert.Contains("model of these masks was disposed", error.Message);
    }
}
