using PruningLab.Models;
using PruningLab.Training;
using static TorchSharp.torch;

namespace PruningLab.Tests.Training;

public class CheckpointTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("pruninglab-ckpt-").FullName;
    public void Dispose() => Directory.Delete(dir, recursive: true);

    [Theory]
    [InlineData(ModelZoo.LeNet300100)]
    [InlineData(ModelZoo.LeNet5)]
    [InlineData(ModelZoo.SmallVgg)]
    public void Save_then_load_round_trips_every_parameter_and_buffer_bit_for_bit(string architecture)
    {
        using var scope = NewDisposeScope();
        using var model = ModelZoo.Create(architecture, seed: 5);
        model.train();
        model.forward(randn(8, 1, 28, 28));   // moves BatchNorm running statistics away from their defaults
        var path = Path.Combine(dir, "m.ckpt");
        Checkpoint.Save(model, path);
        using var loaded = ModelZoo.Create(architecture, seed: 99);
        Checkpoint.Load(loaded, path);
        var expected = model.state_dict();
        var actual = loaded.state_dict();
        Assert.Equal(expected.Keys, actual.Keys);
        foreach (var key in expected.Keys)
            Assert.True(expected[key].bytes.ToArray().SequenceEqual(actual[key].bytes.ToArray()), key);
        Assert.Equal(new[] { "m.ckpt" }, Directory.GetFiles(dir).Select(Path.GetFileName));
    }

    [Fact]
    public void Loading_into_another_architecture_names_both()
    {
        using var lenet = ModelZoo.Create(ModelZoo.LeNet300100, seed: 0);
        var path = Path.Combine(dir, "lenet.ckpt");
        Checkpoint.Save(lenet, path);
        using var vgg = ModelZoo.Create(ModelZoo.LeNet5, seed: 0);
        var error = Assert.Throws<InvalidDataException>(() => Checkpoint.Load(vgg, path));
        Assert.Contains(ModelZoo.LeNet300100, error.Message);
        Assert.Contains(ModelZoo.LeNet5, error.Message);
    }

    [Fact]
    public void A_truncated_or_foreign_file_is_a_clear_error()
    {
        using var model = ModelZoo.Create(ModelZoo.LeNet5, seed: 0);
        var path = Path.Combine(dir, "m.ckpt");
        Checkpoint.Save(model, path);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        Assert.Contains("truncated", Assert.Throws<InvalidDataException>(() => Checkpoint.Load(model, path)).Message);
        File.WriteAllText(path, "not a checkpoint at all");
        Assert.Contains("not a PruningLab checkpoint", Assert.Throws<InvalidDataException>(() => Checkpoint.Load(model, path)).Message);
        Assert.Throws<FileNotFoundException>(() => Checkpoint.Load(model, Path.Combine(dir, "missing.ckpt")));
    }
}
