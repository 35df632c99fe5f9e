"""The Studio: a local web app where the director curates the film (`cinecode studio`).

```
board     what the board, shot, player and script pages show: data from one Session
live      events to the browser (Server-Sent Events), the Studio's Reporter, the file watcher
security  loopback, a session token traded for an HttpOnly cookie, Origin/Host checks, CSP
app       the FastAPI application: pages, JSON, media by content key
server    `cinecode studio`: serve on 127.0.0.1 with uvicorn, print the URL, stop on Ctrl-C
```
The files stay the source of truth: picks go through `cinecode.commands.takes` into
picks.toml, builds through `cinecode.pipeline.build.make` under the project lock.
"""
