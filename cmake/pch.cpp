// The translation unit that builds the shared precompiled header (cmake/BallastModule.cmake).
