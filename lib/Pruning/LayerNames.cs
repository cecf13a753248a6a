using TorchSharp.Modules;

namespace PruningLab.Pruning;

/// <summary>Which parameters pruning acts on, and how a layer is named (<c>fc1</c> or <c>fc1.weight</c>).</summary>
internal static class LayerNames
{
    /// <summary>
    /// The weights pruning acts on, by parameter name, in model order: every parameter of two or more dimensions
    /// (linear and convolution weights). Biases and BatchNorm parameters are left alone.
    /// </summary>
    public static Dictionary<string, Parameter> Prunable(TorchSharp.torch.nn.Module model) =>
        model.named_parameters().Where(p => p.parameter.dim() >= 2).ToDictionary(p => p.name, p => p.parameter);

    /// <summary>The name among <paramref name="names"/> that <paramref name="name"/> means (itself, or with ".weight" added), or null.</summary>
    public static string? Resolve(IEnumerable<string> names, string name) =>
        names.FirstOrDefault(n => n == name || n == name + ".weight");
}
