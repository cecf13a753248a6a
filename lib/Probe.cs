namespace PruningLab;
public static class Probe { }
