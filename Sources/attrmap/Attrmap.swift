import ArgumentParser
@main struct Attrmap: ParsableCommand {}
