// Stagehand's web pages: a client of the platform's JSON API (/api/openapi.yaml), nothing more.
// Plain ES modules, no build step. Every text from the server goes in through textContent.

const POLL_MILLIS = 2000;
const FOLLOW_MINUTES = 5;
const STAGES = ['DEVELOPMENT', 'STAGING', 'PRODUCTION'];
const LOGS = ['install.log', 'pip.log', 'odoo.log', 'update.log', 'neutralize.log', 'import.log', 'shell.log', 'editor.log'];
// The web shell's terminal: xterm.js and its fit addon, from their WebJars (the versions of the pom).
const XTERM = '/webjars/xterm/4.9.0';
const XTERM_FIT = '/webjars/xterm-addon-fit/0.3.0';
// The online editor's code editor: CodeMirror 5 and the modes of Odoo's files, from its WebJar.
const CODEMIRROR = '/webjars/codemirror/5.65.19';
// The Monitor tab's charts: uPlot, from its WebJar.
const UPLOT = '/webjars/uplot/1.6.30/dist';

const main = document.getElementById('main');
const crumbs = document.getElementById('crumbs');
const status = document.getElementById('status');
const who = document.getElementById('who');

// Who is logged in, and the CSRF token every state-changing request of the session carries.
let me = null;
let csrf = null;

// -- small helpers ------------------------------------------------------------------------------

function el(tag, attributes = {}, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes)) {
        if (value === undefined || value === null || value === false) {
            continue;
        }
        if (name.startsWith('on')) {
            node.addEventListener(name.substring(2), value);
        }
        else if (name === 'dataset') {
            Object.assign(node.dataset, value);
        }
        else {
            node.setAttribute(name, value === true ? '' : value);
        }
    }
    for (const child of children.flat()) {
        if (child !== undefined && child !== null && child !== false) {
            node.append(child instanceof Node ? child : document.createTextNode(String(child)));
        }
    }
    return node;
}

async function api(path, options = {}) {
    const headers = {...(options.body && !(options.body instanceof Blob) ? {'Content-Type': 'application/json'} : {}), ...options.headers};
    if (options.method && options.method !== 'GET' && csrf) {
        headers['X-CSRF-Token'] = csrf;
    }
    const response = await fetch(path, {...options, headers});
    if (response.status === 401 && me) {
        // The session ended: log in again.
        me = null;
        csrf = null;
        loginPage();
    }
    const text = await response.text();
    const body = text && (response.headers.get('Content-Type') || '').includes('json') ? JSON.parse(text) : text;
    if (!response.ok) {
        throw new Error(body && body.message ? body.message : `${response.status} ${response.statusText}`);
    }
    return body;
}

function say(message, isError = false) {
    status.textContent = message;
    status.classList.toggle('error', isError);
}

function when(instant) {
    return instant ? new Date(instant).toLocaleString() : '';
}

function bytes(count) {
    return count < 1024 * 1024 ? `${(count / 1024).toFixed(1)} kB` : `${(count / 1024 / 1024).toFixed(1)} MB`;
}

function enc(part) {
    return encodeURIComponent(part).replace(/%2F/g, '/');
}

// Asks in a dialog of the page's own (a browser's confirm() blocks everything, tests included).
function confirmAction(text, okLabel = 'OK') {
    const dialog = document.getElementById('confirm');
    document.getElementById('confirm-text').textContent = text;
    document.getElementById('confirm-ok').textContent = okLabel;
    dialog.showModal();
    return new Promise(resolve => dialog.addEventListener('close', () => resolve(dialog.returnValue === 'ok'), {once: true}));
}

// What a build's cell says: its colour is its verdict once it has one, grey while it runs or waits.
function cellClass(build) {
    if (['QUEUED', 'BUILDING', 'TESTING', 'UPDATING'].includes(build.state)) {
        return 'pending';
    }
    if (build.state === 'STOPPED' || build.state === 'SUPERSEDED') {
        return 'stopped';
    }
    if (build.state === 'SLEEPING') {
        return 'sleeping';
    }
    return (build.verdict || (build.state === 'FAILED' ? 'FAILED' : 'SUCCESS')).toLowerCase();
}

// A build's server through the platform's proxy, by host name (browsers resolve *.localhost themselves).
function connectUrl(hostname) {
    return `${location.protocol}//${hostname}${location.port ? ':' + location.port : ''}/web/login`;
}

// -- routing ------------------------------------------------------------------------------------

let page = null;

function route() {
    if (page && page.stop) {
        page.stop();
    }
    if (!me) {
        page = loginPage();
        return;
    }
    const [path, query] = location.hash.replace(/^#/, '').split('?');
    const parameters = new URLSearchParams(query || '');
    const project = path.match(/^\/projects\/([a-z0-9-]+)$/);
    const collaborators = path.match(/^\/projects\/([a-z0-9-]+)\/collaborators$/);
    page = path === '/profile' ? profilePage()
        : path === '/status' ? statusPage()
        : collaborators ? collaboratorsPage(collaborators[1])
        : project ? projectPage(project[1], parameters)
        : projectsPage();
}

function showWho() {
    who.replaceChildren(...(me ? [
        me.platformAdmin ? el('a', {href: '#/status', id: 'status-link'}, 'Status') : null,
        el('a', {href: '#/profile', id: 'profile-link'}, me.name),
        el('button', {type: 'button', id: 'log-out', onclick: logOut}, 'Log out'),
    ] : []));
}

async function logOut() {
    try {
        await api('/api/session', {method: 'DELETE'});
    }
    finally {
        me = null;
        csrf = null;
        showWho();
        loginPage();
    }
}

window.addEventListener('hashchange', route);
(async () => {
    try {
        me = await api('/api/session');
        csrf = me.csrfToken;
    }
    catch (error) {
        me = null;
    }
    showWho();
    route();
})();

// -- logging in ---------------------------------------------------------------------------------

function loginPage() {
    crumbs.replaceChildren();
    showWho();
    const note = el('p', {class: 'muted', id: 'login-note'});
    const form = el('form', {class: 'stacked login', id: 'login', onsubmit: logIn},
        el('label', {for: 'login-name'}, 'Login'),
        el('input', {id: 'login-name', name: 'login', required: true, autocomplete: 'username'}),
        el('label', {for: 'login-password'}, 'Password'),
        el('input', {id: 'login-password', name: 'password', type: 'password', required: true, autocomplete: 'current-password'}),
        el('button', {class: 'primary', type: 'submit', id: 'log-in'}, 'Log in'),
        note);
    main.replaceChildren(el('section', {class: 'card login-card'}, el('h2', {}, 'Log in to Stagehand'), form));

    async function logIn(event) {
        event.preventDefault();
        try {
            me = await api('/api/session', {method: 'POST', body: JSON.stringify({login: form.login.value.trim(), password: form.password.value})});
            csrf = me.csrfToken;
            showWho();
            route();
        }
        catch (error) {
            note.textContent = error.message;
            note.classList.add('error');
        }
    }
    return {};
}

// -- the projects page --------------------------------------------------------------------------

function projectsPage() {
    crumbs.replaceChildren();
    const list = el('ul', {class: 'project-list', id: 'projects'});
    const result = el('div', {id: 'created'});
    const form = el('form', {class: 'stacked', id: 'new-project', onsubmit: create},
        el('label', {for: 'project-id'}, 'Project id (lower case letters, digits and -)'),
        el('input', {id: 'project-id', name: 'id', required: true, pattern: '[a-z0-9](?:[a-z0-9-]{0,18}[a-z0-9])?', placeholder: 'acme'}),
        el('label', {class: 'check'}, el('input', {type: 'checkbox', id: 'project-hosted', name: 'hosted', onchange: toggleHosted}),
            'Keep its repository on this server (git push to it)'),
        el('label', {for: 'project-url'}, 'Repository URL (GitHub, any git URL, or a path on this server)'),
        el('input', {id: 'project-url', name: 'repositoryUrl', placeholder: 'https://github.com/acme/addons.git'}),
        el('label', {for: 'project-token'}, 'Access token, for a private https repository'),
        el('input', {id: 'project-token', name: 'token', type: 'password', autocomplete: 'off'}),
        el('label', {for: 'project-production'}, 'Production branch (empty: the repository\'s default branch)'),
        el('input', {id: 'project-production', name: 'productionBranch'}),
        el('button', {class: 'primary', type: 'submit', id: 'create-project'}, 'Create project'));
    main.replaceChildren(el('div', {class: 'projects'},
        el('section', {class: 'card'}, el('h2', {}, 'Projects'), list),
        el('section', {class: 'card'}, el('h2', {}, 'New project'), form, result)));

    function toggleHosted() {
        form.repositoryUrl.disabled = form.hosted.checked;
    }

    async function create(event) {
        event.preventDefault();
        const request = {id: form.id.value.trim()};
        if (form.hosted.checked) {
            request.hosted = true;
        }
        else {
            request.repositoryUrl = form.repositoryUrl.value.trim();
        }
        if (form.token.value) {
            request.token = form.token.value;
        }
        if (form.productionBranch.value.trim()) {
            request.productionBranch = form.productionBranch.value.trim();
        }
        try {
            const project = await api('/api/projects', {method: 'POST', body: JSON.stringify(request)});
            result.replaceChildren(el('div', {class: 'card', id: 'project-created'},
                el('p', {}, 'Project ', el('a', {href: `#/projects/${project.id}`, id: 'open-project'}, project.id), ' created; its branches are building.'),
                project.gitUrl
                    ? [el('p', {}, 'Push to it with your login and an API token (made on your profile) as password:'),
                        el('div', {class: 'secret'}, `git push ${project.gitUrl.replace('://', '://' + me.login + ':<token>@')} main`)]
                    : [el('p', {}, 'On GitHub, add a webhook (push events) with this URL and secret; without one the repository is polled.'),
                        el('div', {class: 'secret', id: 'webhook-url'}, project.webhookUrl), el('div', {class: 'secret', id: 'webhook-secret'}, project.webhookSecret),
                        ...(project.deployKey
                            ? [el('p', {}, 'For an ssh URL, add this read-only deploy key to the repository (GitHub: Settings, Deploy keys):'),
                                el('div', {class: 'secret', id: 'deploy-key'}, project.deployKey)]
                            : [])],
                el('p', {class: 'muted'}, 'The secret is shown this once.')));
            form.reset();
            load();
        }
        catch (error) {
            result.replaceChildren(el('p', {class: 'error', id: 'create-error'}, error.message));
        }
    }

    async function load() {
        try {
            const projects = await api('/api/projects');
            list.replaceChildren(...(projects.length ? projects.map(project => el('li', {},
                el('a', {href: `#/projects/${project.id}`}, project.id), ' ', el('span', {class: 'muted'}, project.repositoryUrl))) : [el('li', {class: 'muted'}, 'No project yet.')]));
        }
        catch (error) {
            say(error.message, true);
        }
    }

    load();
    return {};
}

// -- the project page ---------------------------------------------------------------------------

function projectPage(projectId, parameters) {
    crumbs.replaceChildren(el('a', {href: '#/'}, 'Projects'), el('span', {}, '›'), el('a', {href: `#/projects/${projectId}`}, projectId));
    // An admin of the project manages its collaborators and reads its audit log.
    api('/api/session').then(account => {
        me = {...account, csrfToken: csrf};
        if (me.platformAdmin || me.roles[projectId] === 'ADMIN') {
            crumbs.append(el('span', {}, '·'), el('a', {href: `#/projects/${projectId}/collaborators`, id: 'collaborators-link'}, 'Collaborators'));
        }
    }).catch(() => {});
    const state = {
        branches: [],
        selected: parameters.get('branch'),
        build: parameters.get('build') ? Number(parameters.get('build')) : null,
        tab: parameters.get('tab') || 'history',
    };
    const columns = Object.fromEntries(STAGES.map(stage => [stage, el('div', {class: 'stage-branches'})]));
    const stages = el('div', {class: 'stages'}, ...STAGES.map(stage => el('section', {class: 'stage', id: `stage-${stage.toLowerCase()}`},
        el('h2', {class: 'stage-title', dataset: {stage}}, stage.charAt(0) + stage.substring(1).toLowerCase()), columns[stage])));
    const panel = el('section', {class: 'panel', id: 'panel'});
    main.replaceChildren(el('div', {class: 'project'}, stages, panel));
    let tab = null;
    let timer = null;
    let stopped = false;
    let rendered = null;
    let dragging = false;
    let panelBuild = null;

    async function refresh() {
        try {
            state.branches = await api(`/api/projects/${projectId}/overview`);
            renderColumns();
            if ((!state.selected || !current()) && state.branches.length) {
                select(state.branches.find(entry => entry.branch.stage === 'PRODUCTION')?.branch.name || state.branches[0].branch.name, null);
            }
            else if (!tab || (toolBuild(current())?.id ?? null) !== panelBuild) {
                // The first time, or a newer build of the branch followed: its tabs.
                renderPanel();
            }
            else {
                renderHead();
                tab.refresh?.();
            }
            say(`Updated ${new Date().toLocaleTimeString()}`);
        }
        catch (error) {
            say(error.message, true);
        }
        finally {
            if (!stopped) {
                timer = setTimeout(refresh, POLL_MILLIS);
            }
        }
    }

    // Only when something changed, and never under a drag: the cards stay the ones the pointer is on.
    function renderColumns() {
        const now = JSON.stringify([state.branches, state.selected, state.build]);
        if (dragging || now === rendered) {
            return;
        }
        rendered = now;
        for (const stage of STAGES) {
            const entries = state.branches.filter(entry => entry.branch.stage === stage);
            columns[stage].replaceChildren(...(entries.length ? entries.map(branchCard) : [el('p', {class: 'muted'}, 'No branch')]));
        }
    }

    function branchCard(entry) {
        const branch = entry.branch;
        const newest = entry.builds[0];
        const card = el('article', {class: 'branch' + (branch.name === state.selected ? ' selected' : ''), dataset: {branch: branch.name}, onclick: () => select(branch.name, null)},
            el('div', {class: 'branch-head'},
                el('span', {class: 'branch-name', title: `${branch.name}: drag onto a stage to move it, onto a branch to merge it there`, onpointerdown: event => startDrag(event, branch, card)},
                    branch.name)),
            el('div', {class: 'commit'}, entry.head ? `${entry.head.message} — ${entry.head.author}` : 'No build yet'),
            el('div', {class: 'branch-foot'}, el('div', {class: 'cells'}, ...entry.builds.map(build => el('a', {
                class: `cell ${cellClass(build)}` + (build.id === state.build ? ' selected' : ''),
                dataset: {build: build.id, state: build.state, verdict: build.verdict || ''},
                title: `Build ${build.id} (${build.commit.substring(0, 8)}): ${build.state}${build.verdict ? ', ' + build.verdict : ''} — ${build.message || ''}`,
                onclick: event => {
                    event.stopPropagation();
                    select(branch.name, build.id);
                },
            }))),
            el('span', {class: 'branch-actions'},
                // A sleeping build wakes when it is opened.
                newest && ['RUNNING', 'SLEEPING'].includes(newest.state) ? el('a', {href: connectUrl(entry.hostname), target: '_blank', class: 'connect', onclick: event => event.stopPropagation(),
                    title: newest.state === 'SLEEPING' ? 'Asleep: opening it wakes it' : null}, newest.state === 'SLEEPING' ? 'Connect (asleep)' : 'Connect') : null,
                entry.tools.includes('settings') ? el('button', {type: 'button', class: 'rebuild', onclick: event => rebuild(event, branch.name)}, 'Rebuild') : null)));
        return card;
    }

    async function rebuild(event, branchName) {
        event.stopPropagation();
        try {
            const build = await api(`/api/projects/${projectId}/rebuild/${enc(branchName)}`, {method: 'POST'});
            say(`Build ${build.id} of ${branchName} queued`);
            refresh();
        }
        catch (error) {
            say(error.message, true);
        }
    }

    // Dragging a branch by its name: onto a stage's title moves it there, onto another branch merges
    // it into that one (after a confirmation naming both), as on Odoo.sh.
    function startDrag(down, branch, card) {
        if (down.button !== 0) {
            return;
        }
        down.preventDefault();
        dragging = true;
        let ghost = null;
        let target = null;
        const move = event => {
            if (!ghost && Math.hypot(event.clientX - down.clientX, event.clientY - down.clientY) < 5) {
                return;
            }
            if (!ghost) {
                ghost = card.cloneNode(true);
                ghost.classList.add('ghost');
                document.body.append(ghost);
            }
            ghost.style.left = `${event.clientX + 8}px`;
            ghost.style.top = `${event.clientY + 8}px`;
            const under = document.elementFromPoint(event.clientX, event.clientY);
            const found = under && (under.closest('.stage-title') || under.closest('.branch'));
            const next = found && found !== card ? found : null;
            if (next !== target) {
                target?.classList.remove('drop-target');
                next?.classList.add('drop-target');
                target = next;
            }
        };
        const up = async () => {
            document.removeEventListener('pointermove', move);
            document.removeEventListener('pointerup', up);
            dragging = false;
            ghost?.remove();
            target?.classList.remove('drop-target');
            if (!ghost || !target) {
                return;
            }
            if (target.classList.contains('stage-title')) {
                await moveTo(branch, target.dataset.stage);
            }
            else {
                await merge(branch.name, target.dataset.branch);
            }
        };
        document.addEventListener('pointermove', move);
        document.addEventListener('pointerup', up);
    }

    async function moveTo(branch, stage) {
        if (branch.stage === stage) {
            return;
        }
        if (!await confirmAction(`Move ${branch.name} to ${stage.toLowerCase()}?`, 'Move')) {
            return;
        }
        try {
            await api(`/api/projects/${projectId}/branches/${enc(branch.name)}`, {method: 'PUT', body: JSON.stringify({stage})});
            say(`${branch.name} is now ${stage.toLowerCase()}`);
            refresh();
        }
        catch (error) {
            say(error.message, true);
        }
    }

    async function merge(source, target) {
        if (!await confirmAction(`Merge ${source} into ${target}? The merge is pushed to ${target}, which then builds.`, 'Merge')) {
            return;
        }
        try {
            const result = await api(`/api/projects/${projectId}/merge`, {method: 'POST', body: JSON.stringify({source, target})});
            say(`${source} merged into ${target} (${result.kind.toLowerCase().replace('_', ' ')})`);
            refresh();
        }
        catch (error) {
            say(error.message, true);
        }
    }

    function select(branchName, buildId) {
        state.selected = branchName;
        state.build = buildId;
        remember();
        renderColumns();
        renderPanel();
    }

    // The selection lives in the address: a reload, or a link, shows the same.
    function remember() {
        history.replaceState(null, '', `#/projects/${projectId}?branch=${encodeURIComponent(state.selected)}${state.build ? '&build=' + state.build : ''}&tab=${state.tab}`);
    }

    function current() {
        return state.branches.find(entry => entry.branch.name === state.selected);
    }

    function pin(build) {
        if (state.build !== build.id) {
            state.build = build.id;
            remember();
        }
    }

    function currentBuild() {
        const entry = current();
        if (!entry) {
            return null;
        }
        return entry.builds.find(build => build.id === state.build) || entry.builds[0] || null;
    }

    // The tools that work in a build's server open the branch's newest running build, unless a
    // build was chosen: after a failed update, production's serving build, not the failed one.
    const LIVE_TOOLS = ['shell', 'editor', 'apps', 'monitor'];
    function toolBuild(entry) {
        if (!entry || entry.builds.some(build => build.id === state.build) || !LIVE_TOOLS.includes(state.tab)) {
            return currentBuild();
        }
        return entry.builds.find(build => build.state === 'RUNNING') || currentBuild();
    }

    function renderPanel() {
        tab?.stop?.();
        const entry = current();
        if (!entry) {
            panel.replaceChildren(el('p', {class: 'tab muted'}, 'Select a branch.'));
            return;
        }
        const stage = entry.branch.stage;
        // Only the tools the caller's role has on this stage (Odoo.sh's matrix, from the server).
        const can = tool => entry.tools.includes(tool);
        const names = ['history', ...(can('logs') ? ['logs'] : []), ...(can('mails') ? ['mails'] : []), ...(can('shell') ? ['shell'] : []), ...(can('editor') ? ['editor'] : []),
            ...(can('monitor') ? ['monitor'] : []), ...(can('apps') ? ['apps'] : []), ...(stage !== 'DEVELOPMENT' && can('backups') ? ['backups'] : []), ...(can('settings') ? ['settings'] : [])];
        if (!names.includes(state.tab)) {
            state.tab = 'history';
        }
        const build = toolBuild(entry);
        panelBuild = build ? build.id : null;
        const body = el('div', {class: 'tab', id: `tab-${state.tab}`});
        panel.replaceChildren(
            el('div', {class: 'panel-head', id: 'panel-head'}),
            el('nav', {class: 'tabs'}, ...names.map(name => el('button', {
                type: 'button', class: name === state.tab ? 'active' : null, dataset: {tab: name},
                onclick: () => {
                    state.tab = name;
                    remember();
                    renderPanel();
                },
            }, name.charAt(0).toUpperCase() + name.substring(1)))),
            body);
        renderHead();
        const tabs = {history: historyTab, logs: logsTab, mails: mailsTab, shell: shellTab, editor: editorTab, monitor: monitorTab, apps: appsTab, backups: backupsTab, settings: settingsTab};
        tab = tabs[state.tab](body, entry, build) || {};
    }

    // What the selected build is doing, refreshed with the page.
    function renderHead() {
        const head = document.getElementById('panel-head');
        const entry = current();
        if (!head || !entry) {
            return;
        }
        const build = toolBuild(entry);
        head.replaceChildren(
            el('h2', {}, entry.branch.name, el('span', {class: 'muted'}, ` · ${entry.branch.stage.toLowerCase()}${build ? ' · build ' + build.id : ''}`)),
            build ? el('div', {class: 'muted', id: 'build-message'}, `${build.state.toLowerCase()}${build.verdict ? ', ' + build.verdict.toLowerCase() : ''}: ${build.message || ''}`) : null);
    }

    function historyTab(body, entry) {
        const list = el('ul', {class: 'events'});
        body.replaceChildren(list);
        async function refreshHistory() {
            try {
                const events = await api(`/api/projects/${projectId}/history?branch=${encodeURIComponent(entry.branch.name)}&limit=100`);
                list.replaceChildren(...(events.length ? events.map(event => el('li', {}, el('time', {}, when(event.at)), event.message)) : [el('li', {class: 'muted'}, 'Nothing yet.')]));
            }
            catch (error) {
                say(error.message, true);
            }
        }
        refreshHistory();
        return {refresh: refreshHistory};
    }

    // A log as it grows: it scrolls with new lines while the view is at its bottom; pausing stops
    // fetching; after five minutes it stops by itself, and play starts it again.
    function logsTab(body, entry, build) {
        if (!build) {
            body.replaceChildren(el('p', {class: 'muted'}, 'No build yet.'));
            return {};
        }
        const chosen = parameters.get('log') || (entry.branch.stage === 'DEVELOPMENT' ? 'install.log' : entry.branch.stage === 'PRODUCTION' ? 'odoo.log' : 'update.log');
        const logChoice = el('select', {id: 'log-name', onchange: () => follow()}, ...LOGS.map(name => el('option', {value: name, selected: name === chosen}, name)));
        const toggle = el('button', {type: 'button', id: 'log-toggle', onclick: () => (source ? pause('Paused') : follow())}, 'Pause');
        const note = el('span', {class: 'muted', id: 'log-note'});
        const output = el('pre', {class: 'log', id: 'log-output'});
        body.replaceChildren(el('div', {class: 'toolbar'}, logChoice, toggle, note), output);
        let source = null;
        let timeout = null;

        function follow() {
            pause(null);
            output.textContent = '';
            note.textContent = 'Following';
            toggle.textContent = 'Pause';
            source = new EventSource(`/api/builds/${build.id}/logs/${logChoice.value}/follow`);
            source.addEventListener('line', event => {
                const atBottom = output.scrollHeight - output.scrollTop - output.clientHeight < 24;
                output.append(event.data + '\n');
                if (atBottom) {
                    output.scrollTop = output.scrollHeight;
                }
            });
            source.addEventListener('end', () => pause('The log is complete'));
            source.addEventListener('error', event => pause(event.data ? event.data : (output.textContent ? 'Stopped' : 'No such log yet')));
            timeout = setTimeout(() => pause(`Stopped after ${FOLLOW_MINUTES} minutes; press play to go on`), FOLLOW_MINUTES * 60 * 1000);
        }

        function pause(why) {
            if (source) {
                source.close();
                source = null;
            }
            clearTimeout(timeout);
            if (why) {
                note.textContent = why;
                toggle.textContent = 'Play';
            }
        }

        follow();
        return {stop: () => pause(null)};
    }

    // Whether psql may write in production's shells, and, for an admin, allowing it for a while
    // or ending it; the grant's end is the server's (it expires there).
    function productionWrites() {
        const status = el('span', {id: 'shell-writes-status'}, '…');
        const admin = me && (me.platformAdmin || me.roles[projectId] === 'ADMIN');
        const duration = el('select', {id: 'shell-writes-duration', 'aria-label': 'For how long'},
            ...[['15m', '15 min'], ['30m', '30 min'], ['1h', '1 hour']].map(([value, label]) => el('option', {value}, label)));
        const allow = el('button', {type: 'button', id: 'shell-writes-allow', onclick: () => change('POST', {duration: duration.value})}, 'Allow psql to write');
        const end = el('button', {type: 'button', id: 'shell-writes-end', onclick: () => change('DELETE')}, 'End writes now');
        const element = el('div', {class: 'toolbar', id: 'shell-writes'}, status, ...(admin ? [duration, allow, end] : []));
        const path = `/api/projects/${projectId}/production/writes`;
        function show(answer) {
            status.textContent = answer.allowed
                ? `psql may write until ${new Date(answer.until).toLocaleTimeString()} (it reconnects at its next statement).`
                : 'psql reads only.';
            end.disabled = !answer.allowed;
        }
        async function change(method, body) {
            try {
                show(await api(path, {method, ...(body ? {body: JSON.stringify(body)} : {})}));
            }
            catch (error) {
                status.textContent = error.message;
            }
        }
        api(path).then(show).catch(error => status.textContent = error.message);
        return {element};
    }

    // A shell in the build's container, in a terminal: typed keys go to it as they are typed,
    // its screen comes back; the window's size follows the pane's. Production's is marked.
    function shellTab(body, entry, build) {
        if (!build || build.state !== 'RUNNING') {
            body.replaceChildren(el('p', {class: 'muted'}, 'A shell opens in a running build.'));
            return {};
        }
        // This build, until another is picked: a newer one of the branch must not close the shell.
        pin(build);
        // The build's own stage, as the server's checks and the prompt have it (a branch moved since may differ).
        const production = build.stage === 'PRODUCTION';
        const screen = el('div', {class: 'terminal' + (production ? ' production' : ''), id: 'shell-terminal'});
        const note = el('span', {class: 'muted', id: 'shell-note'}, 'Opening a shell…');
        const writes = production ? productionWrites() : null;
        body.replaceChildren(...[
            production ? el('p', {class: 'shell-production', id: 'shell-production'}, 'Production: what you run here changes the live files; psql reads only unless writes are allowed.') : null,
            writes?.element,
            el('div', {class: 'toolbar'}, el('button', {type: 'button', id: 'shell-open', onclick: () => open()}, 'New shell'), note),
            screen].filter(Boolean));
        let socket = null;
        let terminal = null;
        let watcher = null;

        async function open() {
            close();
            note.textContent = 'Opening a shell…';
            await loadXterm();
            terminal = new window.Terminal({cursorBlink: true, rendererType: 'dom', fontSize: 13, scrollback: 5000,
                theme: production ? {background: '#3a0d0d'} : {background: '#111418'}});
            const fit = new window.FitAddon.FitAddon();
            terminal.loadAddon(fit);
            screen.replaceChildren();
            terminal.open(screen);
            fit.fit();
            const ticket = await api(`/api/builds/${build.id}/shell`, {method: 'POST'});
            const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
            socket = new WebSocket(`${scheme}://${location.host}${ticket.path}&columns=${terminal.cols}&rows=${terminal.rows}`);
            socket.binaryType = 'arraybuffer';
            const ours = socket;
            socket.onopen = () => {
                note.textContent = `Build ${build.id}, ${ticket.stage}, as Odoo's user in the branch's sources`;
                terminal.focus();
            };
            socket.onmessage = event => terminal.write(new Uint8Array(event.data));
            socket.onclose = event => {
                if (ours === socket) {
                    note.textContent = `The shell ended${event.reason ? ' (' + event.reason + ')' : ''}. New shell opens another.`;
                }
            };
            const encoder = new TextEncoder();
            terminal.onData(data => socket && socket.readyState === WebSocket.OPEN && socket.send(encoder.encode(data)));
            terminal.onResize(size => socket && socket.readyState === WebSocket.OPEN && socket.send(JSON.stringify({resize: {columns: size.cols, rows: size.rows}})));
            watcher = new ResizeObserver(() => fit.fit());
            watcher.observe(screen);
        }

        function close() {
            watcher?.disconnect();
            watcher = null;
            if (socket) {
                const closing = socket;
                socket = null;
                closing.close(1000, 'closed in the page');
            }
            terminal?.dispose();
            terminal = null;
        }

        open().catch(error => {
            note.textContent = error.message;
        });
        return {stop: close};
    }

    let xtermLoaded = null;

    function loadXterm() {
        xtermLoaded ??= Promise.all([
            new Promise((resolve, reject) => document.head.append(el('script', {src: `${XTERM}/lib/xterm.js`, onload: resolve, onerror: () => reject(new Error('Cannot load the terminal'))}))),
            new Promise((resolve, reject) => document.head.append(el('script', {src: `${XTERM_FIT}/lib/xterm-addon-fit.js`, onload: resolve, onerror: () => reject(new Error('Cannot load the terminal'))}))),
            new Promise(resolve => document.head.append(el('link', {rel: 'stylesheet', href: `${XTERM}/css/xterm.css`, onload: resolve, onerror: resolve}))),
        ]);
        return xtermLoaded;
    }

    // The build's sources in a code editor: a tree opened directory by directory, a file opened,
    // saved (Ctrl-S), the server restarted on them, what was saved committed and pushed, which
    // builds the branch again. Production's are read-only.
    function editorTab(body, entry, build) {
        if (!build || build.state !== 'RUNNING') {
            body.replaceChildren(el('p', {class: 'muted'}, 'The editor opens in a running build.'));
            return {};
        }
        // This build, until another is picked: a newer one of the branch (the push of a commit
        // made here) must not take the panel from under the editor.
        pin(build);
        const base = `/api/builds/${build.id}/editor`;
        const writable = build.stage !== 'PRODUCTION';
        const tree = el('ul', {class: 'editor-tree', id: 'editor-tree', role: 'tree'});
        const pane = el('div', {class: 'editor-pane', id: 'editor-pane'});
        const path = el('span', {class: 'muted', id: 'editor-path'}, 'Open a file of the tree.');
        const note = el('span', {class: 'muted', id: 'editor-note', 'aria-live': 'polite'});
        const save = el('button', {type: 'button', id: 'editor-save', disabled: true, onclick: () => saveFile()}, 'Save');
        const restart = el('button', {type: 'button', id: 'editor-restart', onclick: () => act(`${base}/restart`, {method: 'POST'}, 'Server restarted on the files as saved.')}, 'Restart server');
        // The module of the file open: its first directory, as Odoo.sh's "update current module".
        const update = el('button', {type: 'button', id: 'editor-update', disabled: true, onclick: () => updateModule()}, 'Update module');
        const message = el('input', {type: 'text', id: 'editor-message', placeholder: 'What the change does', 'aria-label': 'Commit message'});
        const commit = el('button', {type: 'button', id: 'editor-commit', onclick: () => commitFiles()}, 'Commit & push');
        const changes = el('span', {class: 'muted', id: 'editor-changes'});
        body.replaceChildren(...[
            writable ? null : el('p', {class: 'muted'}, 'Production\'s sources are read-only here: change them on a development branch, then merge it.'),
            el('div', {class: 'toolbar'}, path, save, ...(writable ? [restart, update, message, commit] : []), changes),
            el('div', {class: 'editor'}, tree, pane),
            note].filter(Boolean));
        let editor = null;
        let open = null;

        async function act(url, options, done) {
            note.textContent = 'Working…';
            try {
                const answer = await api(url, options);
                note.textContent = done;
                return answer;
            }
            catch (error) {
                note.textContent = error.message;
                return null;
            }
        }

        function showChanges(changed) {
            changes.textContent = changed.length ? `Saved, not committed: ${changed.join(', ')}` : '';
        }

        async function list(directory, into) {
            const entries = await api(`${base}/files?path=${encodeURIComponent(directory)}`);
            into.replaceChildren(...entries.map(file => {
                const name = file.path.split('/').pop();
                const item = el('li', {role: 'treeitem'});
                const label = el('button', {type: 'button', class: file.directory ? 'editor-dir' : 'editor-file', 'data-path': file.path}, (file.directory ? '▸ ' : '') + name);
                item.append(label);
                if (file.directory) {
                    const children = el('ul', {role: 'group'});
                    let shown = false;
                    label.onclick = async () => {
                        shown = !shown;
                        label.textContent = (shown ? '▾ ' : '▸ ') + name;
                        if (shown) {
                            await list(file.path, children).catch(error => note.textContent = error.message);
                            item.append(children);
                        }
                        else {
                            children.remove();
                        }
                    };
                }
                else {
                    label.onclick = () => openFile(file.path);
                }
                return item;
            }));
        }

        async function openFile(file) {
            try {
                await loadCodeMirror();
                const answer = await api(`${base}/file?path=${encodeURIComponent(file)}`);
                open = file;
                path.textContent = file;
                pane.replaceChildren();
                editor = window.CodeMirror(pane, {value: answer.content, lineNumbers: true, readOnly: !answer.writable, mode: modeOf(file), indentUnit: 4,
                    extraKeys: {'Ctrl-S': () => saveFile(), 'Cmd-S': () => saveFile()}});
                save.disabled = !answer.writable;
                update.disabled = !answer.writable || !file.includes('/');
                note.textContent = answer.writable ? '' : 'Read-only.';
            }
            catch (error) {
                note.textContent = error.message;
            }
        }

        async function saveFile() {
            if (!editor || !open) {
                return;
            }
            const answer = await act(`${base}/file`, {method: 'PUT', body: JSON.stringify({path: open, content: editor.getValue()})}, `Saved ${open}. Restart the server to run it.`);
            if (answer) {
                showChanges(answer.changed);
            }
        }

        async function updateModule() {
            const module = open.split('/')[0];
            note.textContent = `Updating ${module}…`;
            const answer = await act(`${base}/update`, {method: 'POST', body: JSON.stringify({module})}, `${module} updated; the server restarts on it.`);
            if (answer) {
                note.title = answer.output.join('\n');
            }
        }

        async function commitFiles() {
            const answer = await act(`${base}/commit`, {method: 'POST', body: JSON.stringify({message: message.value})}, '');
            if (answer) {
                note.textContent = `Committed ${answer.commit.substring(0, 8)} and pushed` + (answer.build ? `: build ${answer.build} is queued.` : '.');
                message.value = '';
                showChanges([]);
            }
        }

        list('', tree).catch(error => note.textContent = error.message);
        api(`${base}/changes`).then(answer => showChanges(answer.changed)).catch(() => {});
        return {};
    }

    function modeOf(file) {
        return file.endsWith('.py') ? 'python' : file.endsWith('.js') ? 'javascript' : file.endsWith('.css') || file.endsWith('.scss') ? 'css'
            : file.endsWith('.xml') || file.endsWith('.html') ? 'xml' : null;
    }

    let codeMirrorLoaded = null;
    function loadCodeMirror() {
        const script = src => new Promise((resolve, reject) => document.head.append(el('script', {src, onload: resolve, onerror: () => reject(new Error('Cannot load the editor'))})));
        codeMirrorLoaded ??= Promise.all([
            script(`${CODEMIRROR}/lib/codemirror.js`).then(() => Promise.all(['python', 'javascript', 'css', 'xml'].map(mode => script(`${CODEMIRROR}/mode/${mode}/${mode}.js`)))),
            new Promise(resolve => document.head.append(el('link', {rel: 'stylesheet', href: `${CODEMIRROR}/lib/codemirror.css`, onload: resolve, onerror: resolve}))),
        ]);
        return codeMirrorLoaded;
    }

    // The Odoo apps the build offers: searched, installed or uninstalled in one click (production's
    // through an update, asked first: backed up, rolled back if it fails).
    function appsTab(body, entry, build) {
        if (!build) {
            body.replaceChildren(el('p', {class: 'muted'}, 'No build yet.'));
            return {};
        }
        const production = entry.branch.stage === 'PRODUCTION';
        const search = el('input', {type: 'search', id: 'apps-search', placeholder: 'Search apps (name, summary, category)', 'aria-label': 'Search apps'});
        const onlyApps = el('input', {type: 'checkbox', id: 'apps-only', checked: true});
        const table = el('table', {class: 'list', id: 'apps'});
        const note = el('p', {class: 'muted', id: 'apps-note'});
        body.replaceChildren(el('p', {class: 'muted'}, production
                ? 'Production\'s apps. Installing or uninstalling one updates production: a backup first, then Odoo\'s install or uninstall; if it fails, its database, files and code are put back.'
                : `The apps of build ${build.id}: installed or uninstalled by Odoo beside its server (install.log), which then restarts; the branch's later builds install the apps installed here too.`),
            el('div', {class: 'apps-filter'}, search, el('label', {}, onlyApps, ' Apps only')), note, table);
        let asked = 0;
        let typing = null;
        async function refresh() {
            const mine = ++asked;
            try {
                const apps = await api(`/api/builds/${build.id}/apps?search=${encodeURIComponent(search.value)}&all=${!onlyApps.checked}`);
                if (mine !== asked) {
                    return;
                }
                table.replaceChildren(el('tr', {}, el('th', {}, 'App'), el('th', {}, 'Category'), el('th', {}, '')),
                    ...apps.map(app => el('tr', {class: 'app-row', dataset: {app: app.name}},
                        el('td', {}, el('strong', {}, app.title), el('div', {class: 'muted'}, app.name + (app.fromBranch ? ' · the branch\'s' : '')),
                            app.summary ? el('div', {class: 'app-summary'}, app.summary) : null),
                        el('td', {}, app.category),
                        el('td', {}, app.installed ? installedCell(app)
                            : el('button', {type: 'button', class: production ? 'danger' : 'primary', dataset: {install: app.name}, onclick: event => install(app, event.target)},
                                production ? 'Install in production' : 'Install')))));
                if (!apps.length) {
                    table.append(el('tr', {}, el('td', {colspan: 3, class: 'muted'}, 'No app matches.')));
                }
            }
            catch (error) {
                note.textContent = error.message;
            }
        }
        function installedCell(app) {
            const state = el('span', {class: 'app-installed'}, app.toRemove ? 'Installed: uninstalled at production\'s next update' : 'Installed');
            if (app.toRemove || app.name === 'base' || app.name === 'web') {
                return state;
            }
            return el('div', {class: 'app-actions'}, state, ' ', el('button', {type: 'button', class: 'danger', dataset: {uninstall: app.name}, onclick: event => uninstall(app, event.target)},
                production ? 'Uninstall from production' : 'Uninstall'));
        }
        async function uninstall(app, button) {
            let dependents;
            try {
                dependents = await api(`/api/builds/${build.id}/apps/${encodeURIComponent(app.name)}/dependents`);
            }
            catch (error) {
                note.textContent = error.message;
                return;
            }
            const along = dependents.length ? ` Odoo uninstalls what depends on it too: ${dependents.join(', ')}.` : '';
            const question = production
                ? `Uninstall ${app.title} (${app.name}) from production?${along} Its data goes with it. Production is backed up, then updated on its branch's head: `
                    + 'down while Odoo uninstalls it. If the uninstall fails, its database, files and code are put back.'
                : `Uninstall ${app.title} (${app.name}) from build ${build.id}?${along} Its data in this build goes with it.`;
            if (!await confirmAction(question, production ? 'Uninstall from production' : 'Uninstall')) {
                return;
            }
            await start(app, button, 'uninstall', production ? 'Uninstall from production' : 'Uninstall', 'Uninstalling…');
        }
        async function install(app, button) {
            if (production && !await confirmAction(`Install ${app.title} (${app.name}) in production? Production is backed up, then updated on its branch's head: `
                    + 'down while Odoo installs it. If the install fails, its database, files and code are put back.', 'Install in production')) {
                return;
            }
            await start(app, button, 'install', production ? 'Install in production' : 'Install', 'Installing…');
        }
        // An install or uninstall asked: followed here on development and staging; on production, its update is said.
        async function start(app, button, operation, label, working) {
            button.disabled = true;
            button.textContent = production ? 'Queuing…' : working;
            try {
                const started = await api(`/api/builds/${build.id}/apps/${encodeURIComponent(app.name)}/${operation}`, {method: 'POST'});
                if (started.update) {
                    note.textContent = `Build ${started.update.id} updates production to ${operation} ${app.name}: see its update.log; production is put back if it fails.`;
                    return;
                }
                note.textContent = started.progress.message;
                follow();
            }
            catch (error) {
                note.textContent = error.message;
                button.disabled = false;
                button.textContent = label;
            }
        }
        // An install or uninstall in this build, followed until it ends; the list is drawn again then.
        let following = null;
        function follow() {
            clearTimeout(following);
            following = setTimeout(async () => {
                try {
                    const progress = await api(`/api/builds/${build.id}/apps/install`);
                    note.textContent = progress.state === 'FAILED' ? `${progress.message}\n${progress.lastLines.slice(-5).join('\n')}` : progress.message;
                    note.classList.toggle('error', progress.state === 'FAILED');
                    if (progress.state === 'RUNNING') {
                        follow();
                    }
                    else {
                        await refresh();
                    }
                }
                catch (error) {
                    note.textContent = error.message;
                }
            }, 1000);
        }
        search.addEventListener('input', () => {
            clearTimeout(typing);
            typing = setTimeout(refresh, 250);
        });
        onlyApps.addEventListener('change', refresh);
        refresh();
        // An install or uninstall started earlier (another tab, before a reload) is followed too.
        if (!production) {
            api(`/api/builds/${build.id}/apps/install`).then(progress => {
                if (progress.state === 'RUNNING') {
                    note.textContent = progress.message;
                    follow();
                }
            }).catch(() => {});
        }
        // The page's refresh does not redraw the list under the user's pointer: only a search, a filter or an install does.
        return {stop: () => clearTimeout(following)};
    }

    let uPlotLoaded = null;
    function loadUPlot() {
        uPlotLoaded ??= Promise.all([
            new Promise((resolve, reject) => document.head.append(el('script', {src: `${UPLOT}/uPlot.iife.min.js`, onload: resolve, onerror: () => reject(new Error('Cannot load the charts'))}))),
            new Promise(resolve => document.head.append(el('link', {rel: 'stylesheet', href: `${UPLOT}/uPlot.min.css`, onload: resolve, onerror: resolve}))),
        ]);
        return uPlotLoaded;
    }

    // The build's resources and traffic over a range, as charts; the branch's events (pushes,
    // updates, imports, restores) drawn as lines across them and listed below.
    function monitorTab(body, entry, build) {
        if (!build) {
            body.replaceChildren(el('p', {class: 'muted'}, 'No build yet.'));
            return {};
        }
        const RANGES = ['1h', '6h', '24h', '7d', '30d'];
        let range = state.monitorRange && RANGES.includes(state.monitorRange) ? state.monitorRange : '24h';
        const picker = el('div', {class: 'ranges', role: 'group', 'aria-label': 'Time range'});
        const summary = el('p', {class: 'muted', id: 'monitor-summary'});
        const charts = el('div', {class: 'charts', id: 'monitor-charts'});
        const notes = el('ul', {class: 'events', id: 'monitor-annotations'});
        const availability = el('p', {id: 'monitor-availability'});
        body.replaceChildren(el('p', {class: 'muted'}, entry.branch.stage === 'PRODUCTION'
            ? 'Production over time, across its updates: what its container uses, its storage, the requests the platform relayed to it, its mail.'
            : `Build ${build.id} over time: what its container uses, its storage, the requests the platform relayed to it, its mail.`), picker,
            entry.branch.stage === 'PRODUCTION' ? availability : null, summary, charts, notes);
        let fetchedAt = 0;
        let fetches = 0;
        let plots = [];
        function drawPicker() {
            picker.replaceChildren(...RANGES.map(name => el('button', {
                type: 'button', class: name === range ? 'active' : null, 'aria-pressed': String(name === range), dataset: {range: name},
                onclick: () => {
                    range = name;
                    state.monitorRange = name;
                    drawPicker();
                    refresh(true);
                },
            }, name)));
        }
        function chart(title, unit, times, series, marks, span) {
            const holder = el('div', {class: 'chart', dataset: {chart: title}});
            charts.append(holder);
            const width = Math.max(320, Math.min(charts.clientWidth || 640, 900));
            const colours = ['#2e7d32', '#c62828', '#ef6c00', '#1565c0', '#6a1b9a'];
            plots.push(new window.uPlot({
                title, width, height: 170,
                // The range picked, whatever part of it has samples.
                scales: {x: {time: true, min: span[0], max: span[1]}},
                series: [{}, ...series.map((one, index) => ({label: one.label, stroke: colours[index], width: 1.5, spanGaps: false,
                    value: (u, v) => v == null ? '–' : `${+v.toFixed(2)} ${unit}`}))],
                axes: [{}, {label: unit, size: 60}],
                hooks: {draw: [u => {
                    // The branch's events: a dashed line each.
                    const ctx = u.ctx;
                    ctx.save();
                    ctx.strokeStyle = '#7a7a7a';
                    ctx.setLineDash([4, 4]);
                    for (const mark of marks) {
                        const x = Math.round(u.valToPos(mark, 'x', true));
                        if (x >= u.bbox.left && x <= u.bbox.left + u.bbox.width) {
                            ctx.beginPath();
                            ctx.moveTo(x, u.bbox.top);
                            ctx.lineTo(x, u.bbox.top + u.bbox.height);
                            ctx.stroke();
                        }
                    }
                    ctx.restore();
                }]},
            }, [times, ...series.map(one => one.values)], holder));
        }
        async function refresh(force) {
            // A sample comes at most every few seconds: the page's own refresh need not fetch each time.
            if (!force && Date.now() - fetchedAt < 15000) {
                return;
            }
            fetchedAt = Date.now();
            // Only the newest answer is drawn: an older one (another range) may come after it.
            const asked = ++fetches;
            try {
                const [series] = await Promise.all([api(`/api/builds/${build.id}/monitor?range=${range}`), loadUPlot()]);
                if (asked !== fetches) {
                    return;
                }
                plots.forEach(plot => plot.destroy());
                plots = [];
                charts.replaceChildren();
                const samples = series.samples;
                const times = samples.map(sample => Date.parse(sample.at) / 1000);
                const marks = series.annotations.map(event => Date.parse(event.at) / 1000);
                const span = [Date.parse(series.from) / 1000, Date.parse(series.to) / 1000];
                const every = series.sampleIntervalSeconds > 0 ? `every ${series.sampleIntervalSeconds} s` : 'sampling is off';
                const rate = field => samples.map(sample => sample.periodSeconds > 0 ? sample[field] / sample.periodSeconds : null);
                const mib = field => samples.map(sample => sample[field] == null ? null : sample[field] / 1048576);
                const pick = field => samples.map(sample => sample[field]);
                const requests = samples.reduce((sum, sample) => sum + sample.successes + sample.errors + sample.limited, 0);
                const sent = samples.reduce((sum, sample) => sum + sample.mailsSent, 0);
                const caught = samples.reduce((sum, sample) => sum + sample.mailsCaught, 0);
                const days = Math.max(1, (span[1] - span[0]) / 86400);
                const last = samples[samples.length - 1];
                summary.textContent = samples.length
                    ? `${samples.length} ${series.hourly ? 'hours' : 'samples'} (${every}); ${requests} requests in the range; mail ${sent} sent, ${caught} caught`
                        + (days > 1 ? ` (${(sent / days).toFixed(1)} and ${(caught / days).toFixed(1)} a day)` : '')
                        + (last ? `; now ${last.memoryBytes == null ? '' : bytes(last.memoryBytes) + ' memory, '}${last.databaseBytes == null ? '' : bytes(last.databaseBytes) + ' database, '}${last.filestoreBytes == null ? '' : bytes(last.filestoreBytes) + ' filestore'}` : '')
                    : `No samples in this range yet (${every}): a running build is sampled, a stopped one is not.`;
                chart('Requests per second', 'req/s', times, [{label: 'successful', values: rate('successes')}, {label: 'errors', values: rate('errors')}, {label: 'rate-limited', values: rate('limited')}], marks, span);
                chart('Response time', 'ms', times, [{label: 'median', values: pick('p50Millis')}, {label: '95th percentile', values: pick('p95Millis')}], marks, span);
                chart('Concurrent requests', 'requests', times, [{label: 'most at once', values: pick('concurrent')}], marks, span);
                chart('CPU', 'CPUs', times, [{label: 'container', values: pick('cpus')}], marks, span);
                chart('Memory', 'MiB', times, [{label: 'container', values: mib('memoryBytes')}], marks, span);
                chart('Storage', 'MiB', times, [{label: 'database', values: mib('databaseBytes')}, {label: 'filestore', values: mib('filestoreBytes')}], marks, span);
                chart('Mail', 'mails', times, [{label: 'sent', values: pick('mailsSent')}, {label: 'caught', values: pick('mailsCaught')}], marks, span);
                if (entry.branch.stage === 'PRODUCTION') {
                    // Production's availability, as the platform's probes found it hour by hour.
                    const status = await api(`/api/projects/${projectId}/production/status`);
                    const percent = share => share == null ? '–' : `${(share * 100).toFixed(share === 1 ? 0 : 2)} %`;
                    availability.textContent = (status.now ? `${status.now === 'UP' ? 'Up' : status.now === 'DOWN' ? 'DOWN' : 'In maintenance'} since ${when(status.since)}. ` : 'Not probed yet. ')
                        + `Uptime: ${percent(status.uptime['24h'])} over 24 h, ${percent(status.uptime['7d'])} over 7 days, ${percent(status.uptime['30d'])} over 30 days.`;
                    availability.className = status.now === 'DOWN' ? 'availability down' : 'availability';
                    const hours = status.hours.filter(hour => Date.parse(hour.hour) / 1000 >= span[0] - 3600);
                    chart('Availability', '% up', hours.map(hour => Date.parse(hour.hour) / 1000),
                        [{label: 'probes that found it up', values: hours.map(hour => hour.up + hour.down === 0 ? null : 100 * hour.up / (hour.up + hour.down))}], marks, span);
                }
                notes.replaceChildren(...series.annotations.slice().reverse().map(event => el('li', {}, el('time', {}, when(event.at)), event.message)));
            }
            catch (error) {
                summary.textContent = error.message;
                say(error.message, true);
            }
        }
        drawPicker();
        refresh(true);
        return {refresh: () => refresh(false), stop: () => plots.forEach(plot => plot.destroy())};
    }

    function mailsTab(body, entry, build) {
        if (!build) {
            body.replaceChildren(el('p', {class: 'muted'}, 'No build yet.'));
            return {};
        }
        const table = el('table', {class: 'list', id: 'mails'});
        const detail = el('div', {id: 'mail'});
        const production = entry.branch.stage === 'PRODUCTION';
        body.replaceChildren(el('p', {class: 'muted'}, production
            ? 'Mail production sent, delivered through the platform\'s relay: queued until the relay takes it, then sent; bounced if the relay refuses it.'
            : `Mail build ${build.id} sent, caught by the platform: none of it left.`), table, detail);
        let shown = null;
        let seen = null;
        // Queued, sent or bounced, with the relay's last answer while it is not sent.
        const delivery = mail => mail.delivery === 'QUEUED'
            ? `queued${mail.attempts ? `, tried ${mail.attempts}×` : ''}${mail.deliveryNote ? ': ' + mail.deliveryNote : ''}`
            : mail.delivery === 'BOUNCED' ? `bounced: ${mail.deliveryNote || ''}` : `sent ${when(mail.finishedAt)}`;
        async function refreshMails() {
            try {
                const mails = await api(`/api/builds/${build.id}/mails`);
                const signature = mails.map(mail => `${mail.id}:${mail.delivery}:${mail.attempts}`).join(',');
                if (signature === seen) {
                    return;
                }
                seen = signature;
                table.replaceChildren(el('tr', {}, el('th', {}, 'Received'), el('th', {}, 'To'), el('th', {}, 'Subject'), production ? el('th', {}, 'Delivery') : null),
                    ...mails.map(mail => el('tr', {class: 'clickable mail-row', onclick: () => show(mail)}, el('td', {}, when(mail.receivedAt)), el('td', {}, mail.to || mail.recipients.join(', ')),
                        el('td', {}, mail.subject || '(no subject)'),
                        production ? el('td', {class: `mail-delivery delivery-${(mail.delivery || '').toLowerCase()}`}, delivery(mail)) : null)));
                if (!mails.length) {
                    table.append(el('tr', {}, el('td', {colspan: production ? 4 : 3, class: 'muted'}, 'No mail yet.')));
                }
            }
            catch (error) {
                say(error.message, true);
            }
        }
        function show(mail) {
            shown = mail.id;
            detail.replaceChildren(
                el('h3', {}, mail.subject || '(no subject)'),
                el('dl', {class: 'mail-headers'}, el('dt', {}, 'From'), el('dd', {}, mail.from || mail.envelopeFrom), el('dt', {}, 'To'), el('dd', {}, mail.to || mail.recipients.join(', ')),
                    el('dt', {}, 'Received'), el('dd', {}, when(mail.receivedAt)),
                    ...(mail.delivery ? [el('dt', {}, 'Delivery'), el('dd', {}, delivery(mail))] : [])),
                // A mail's HTML is the sender's: shown in a frame that runs no script and reaches nothing of the page's.
                mail.html ? el('iframe', {class: 'mail-html', id: 'mail-html', sandbox: '', srcdoc: mail.html, title: 'The mail as HTML'}) : null,
                mail.text ? el('pre', {class: 'log', style: 'height: auto; max-height: 240px', id: 'mail-text'}, mail.text) : null);
        }
        refreshMails();
        return {refresh: refreshMails, shown: () => shown};
    }

    function backupsTab(body, entry) {
        const table = el('table', {class: 'list', id: 'backups'});
        const filestore = el('input', {type: 'checkbox', id: 'download-filestore', checked: true});
        const neutralized = el('input', {type: 'checkbox', id: 'download-neutralized'});
        const production = state.branches.find(other => other.branch.stage === 'PRODUCTION');
        const file = el('input', {type: 'file', id: 'import-file', accept: '.zip,.sql,.dump'});
        const progress = el('progress', {id: 'import-progress', max: 100, value: 0, hidden: true});
        const importNote = el('span', {class: 'muted', id: 'import-note'});
        body.replaceChildren(
            el('div', {class: 'toolbar'},
                el('button', {type: 'button', id: 'backup-now', onclick: backUp}, 'Back up production now'),
                el('label', {}, filestore, ' with filestore'), el('label', {}, neutralized, ' neutralized (for testing)')),
            table,
            el('h3', {}, `Import a database into ${entry.branch.name}`),
            el('p', {class: 'muted'}, 'A zip of Odoo\'s database manager, a plain .sql or a pg_dump custom-format file. '
                + (entry.branch.stage === 'PRODUCTION' ? 'An update backup of production is taken first; mail servers and scheduled actions of the import are turned off.' : 'It is neutralized.')),
            el('div', {class: 'toolbar'}, file, el('button', {type: 'button', id: 'import-start', onclick: upload}, 'Import'), progress, importNote));

        async function refreshBackups() {
            if (!production) {
                table.replaceChildren(el('tr', {}, el('td', {class: 'muted'}, 'No production yet: nothing to back up.')));
                return;
            }
            try {
                const backups = await api(`/api/projects/${projectId}/backups`);
                table.replaceChildren(el('tr', {}, el('th', {}, 'Taken'), el('th', {}, 'Kind'), el('th', {}, 'Size'), el('th', {}, 'Revision'), el('th', {}, 'Verified'), el('th', {})),
                    ...backups.map(backup => el('tr', {class: 'backup-row', dataset: {backup: backup.id}},
                        el('td', {}, when(backup.createdAt)), el('td', {}, backup.kind.toLowerCase()), el('td', {}, bytes(backup.dumpBytes + backup.filestoreBytes)),
                        el('td', {}, backup.commit ? backup.commit.substring(0, 8) : ''), el('td', {title: backup.problems.join('; ')}, backup.verification.toLowerCase().replace('_', ' ')),
                        el('td', {},
                            el('a', {href: '#', class: 'download', onclick: event => download(event, backup)}, 'Download'), ' ',
                            el('button', {type: 'button', class: 'restore', onclick: () => restore(backup)}, entry.branch.stage === 'PRODUCTION' ? 'Restore' : `Restore into ${entry.branch.name}`)))));
                if (!backups.length) {
                    table.append(el('tr', {}, el('td', {colspan: 6, class: 'muted'}, 'No backup yet.')));
                }
            }
            catch (error) {
                say(error.message, true);
            }
        }

        async function backUp() {
            say('Backing up production…');
            try {
                const backup = await api(`/api/projects/${projectId}/backups`, {method: 'POST'});
                say(`Backup ${backup.id} taken, ${backup.verification.toLowerCase().replace('_', ' ')}`);
                refreshBackups();
            }
            catch (error) {
                say(error.message, true);
            }
        }

        function download(event, backup) {
            event.preventDefault();
            location.href = `/api/projects/${projectId}/backups/${backup.id}/download?filestore=${filestore.checked}&neutralized=${neutralized.checked}`;
        }

        async function restore(backup) {
            const into = entry.branch.stage === 'PRODUCTION' ? 'production (an update backup of it is taken first)' : `${entry.branch.name}, neutralized`;
            if (!await confirmAction(`Restore backup ${backup.id} into ${into}?`, 'Restore')) {
                return;
            }
            say(`Restoring ${backup.id}…`);
            try {
                const path = entry.branch.stage === 'PRODUCTION' ? `/api/projects/${projectId}/backups/${backup.id}/restore` : `/api/projects/${projectId}/backups/${backup.id}/restore/${enc(entry.branch.name)}`;
                await api(path, {method: 'POST'});
                say(`Backup ${backup.id} restored into ${entry.branch.name}`);
                refreshBackups();
            }
            catch (error) {
                say(error.message, true);
            }
        }

        function upload() {
            const chosen = file.files[0];
            if (!chosen) {
                importNote.textContent = 'Choose a file first.';
                return;
            }
            const name = chosen.name.replace(/[^A-Za-z0-9._-]/g, '_').substring(0, 100);
            const request = new XMLHttpRequest();
            request.open('POST', `/api/projects/${projectId}/import/${enc(entry.branch.name)}?filename=${encodeURIComponent(name)}`);
            request.setRequestHeader('X-CSRF-Token', csrf);
            progress.hidden = false;
            request.upload.addEventListener('progress', event => {
                if (event.lengthComputable) {
                    progress.value = Math.round(event.loaded * 100 / event.total);
                    importNote.textContent = event.loaded < event.total ? `Sending ${bytes(event.loaded)} of ${bytes(event.total)}` : 'Importing…';
                }
            });
            request.addEventListener('load', () => {
                progress.hidden = true;
                const answer = request.responseText ? JSON.parse(request.responseText) : {};
                importNote.textContent = request.status === 200 ? `Imported into build ${answer.id}` : answer.message || request.statusText;
                importNote.classList.toggle('error', request.status !== 200);
                refresh();
            });
            request.addEventListener('error', () => {
                progress.hidden = true;
                importNote.textContent = 'The upload was cut; nothing was imported.';
            });
            request.send(chosen);
        }

        refreshBackups();
        return {refresh: null, reload: refreshBackups};
    }

    function settingsTab(body, entry) {
        const branch = entry.branch;
        const form = el('form', {class: 'stacked', id: 'settings', onsubmit: save},
            el('label', {for: 'on-new-commit'}, 'On a new commit'),
            el('select', {id: 'on-new-commit', name: 'onNewCommit'},
                ...[['NEW_BUILD', 'New build'], ['UPDATE_PREVIOUS', 'Update the previous build'], ['DO_NOTHING', 'Do nothing']]
                    .map(([value, label]) => el('option', {value, selected: value === branch.onNewCommit}, label))),
            el('label', {for: 'module-selection'}, 'Modules to install (development builds)'),
            el('select', {id: 'module-selection', name: 'moduleSelection'},
                ...[['OWN_MODULES', 'Only the branch\'s modules'], ['ALL', 'Every module'], ['EXPLICIT', 'This list']]
                    .map(([value, label]) => el('option', {value, selected: value === branch.moduleSelection}, label))),
            el('label', {for: 'modules'}, 'The list (comma-separated technical names)'),
            el('input', {id: 'modules', name: 'modules', value: branch.modules.join(', ')}),
            el('label', {for: 'test-tags'}, 'Test tags (empty: the branch\'s own modules)'),
            el('input', {id: 'test-tags', name: 'testTags', value: branch.testTags || ''}),
            el('label', {class: 'check'}, el('input', {type: 'checkbox', id: 'crons', name: 'crons', checked: branch.crons}), 'Run scheduled actions'),
            el('label', {for: 'domains'}, 'Custom domains (one per line; point each one\'s DNS at the platform)'),
            el('textarea', {id: 'domains', name: 'domains', rows: 3, placeholder: 'www.example.com'}, (branch.domains || []).join('\n')),
            el('button', {class: 'primary', type: 'submit', id: 'save-settings'}, 'Save'),
            el('span', {class: 'muted', id: 'settings-note'}));

        async function save(event) {
            event.preventDefault();
            try {
                const saved = await api(`/api/projects/${projectId}/branches/${enc(branch.name)}`, {
                    method: 'PUT',
                    body: JSON.stringify({
                        onNewCommit: form.onNewCommit.value,
                        moduleSelection: form.moduleSelection.value,
                        modules: form.modules.value.split(',').map(name => name.trim()).filter(name => name),
                        testTags: form.testTags.value.trim(),
                        crons: form.crons.checked,
                        domains: form.domains.value.split(/[\s,]+/).filter(name => name),
                    }),
                });
                form.domains.value = saved.domains.join('\n');
                document.getElementById('settings-note').textContent = ' Saved';
            }
            catch (error) {
                document.getElementById('settings-note').textContent = ' ' + error.message;
            }
        }

        body.replaceChildren(form);
        return {};
    }

    refresh();
    return {
        stop: () => {
            stopped = true;
            clearTimeout(timer);
            tab?.stop?.();
        },
    };
}

// -- the profile: password, API tokens, SSH keys -------------------------------------------------

// The platform's own parts, for its administrators: each asked something cheap, now.
function statusPage() {
    crumbs.replaceChildren(el('a', {href: '#/'}, 'Projects'), el('span', {}, '›'), el('span', {}, 'Status'));
    const table = el('table', {class: 'list', id: 'platform-parts'});
    main.replaceChildren(el('section', {class: 'card'}, el('h2', {}, 'The platform\'s parts'), table));
    async function load() {
        try {
            const parts = await api('/api/platform/status');
            table.replaceChildren(el('tr', {}, el('th', {}, 'Part'), el('th', {}, ''), el('th', {}, 'Detail')),
                ...parts.map(part => el('tr', {dataset: {part: part.name}}, el('td', {}, part.name),
                    el('td', {class: part.healthy ? 'part-up' : 'part-down'}, part.healthy ? 'answers' : 'DOWN'), el('td', {}, part.detail))));
        }
        catch (error) {
            say(error.message, true);
        }
    }
    load();
    const timer = setInterval(load, 10000);
    return {stop: () => clearInterval(timer)};
}

function profilePage() {
    crumbs.replaceChildren(el('a', {href: '#/'}, 'Projects'), el('span', {}, '›'), el('span', {}, 'Profile'));
    const tokens = el('ul', {class: 'plain', id: 'tokens'});
    const keys = el('ul', {class: 'plain', id: 'ssh-keys'});
    const shown = el('p', {id: 'new-token'});
    const tokenForm = el('form', {class: 'stacked', id: 'token-form', onsubmit: createToken},
        el('label', {for: 'token-name'}, 'A new API token, named for what uses it'),
        el('input', {id: 'token-name', name: 'name', required: true, placeholder: 'CI deploy'}),
        el('button', {class: 'primary', type: 'submit'}, 'Create token'), shown);
    const keyForm = el('form', {class: 'stacked', id: 'key-form', onsubmit: addKey},
        el('label', {for: 'key-text'}, 'An SSH public key (the content of ~/.ssh/id_ed25519.pub)'),
        el('textarea', {id: 'key-text', name: 'key', rows: 3}),
        el('label', {for: 'key-github'}, 'Or a GitHub user whose public keys to import'),
        el('input', {id: 'key-github', name: 'github', placeholder: 'octocat'}),
        el('button', {class: 'primary', type: 'submit'}, 'Add'), el('span', {class: 'muted', id: 'key-note'}));
    const passwordForm = el('form', {class: 'stacked', id: 'password-form', onsubmit: changePassword},
        el('label', {for: 'password-current'}, 'Current password'),
        el('input', {id: 'password-current', name: 'current', type: 'password', required: true, autocomplete: 'current-password'}),
        el('label', {for: 'password-new'}, 'New password (8 characters or more; it revokes your API tokens and ends your other sessions)'),
        el('input', {id: 'password-new', name: 'password', type: 'password', required: true, autocomplete: 'new-password'}),
        el('button', {class: 'primary', type: 'submit'}, 'Change password'), el('span', {class: 'muted', id: 'password-note'}));
    const emailForm = el('form', {class: 'stacked', id: 'email-form', onsubmit: setEmail},
        el('label', {for: 'email'}, 'Your mail address: where the platform writes to you (a production of yours down)'),
        el('input', {id: 'email', name: 'email', type: 'email', value: me.email || '', placeholder: 'azure@example.com', autocomplete: 'email'}),
        el('button', {class: 'primary', type: 'submit'}, 'Save address'), el('span', {class: 'muted', id: 'email-note'}));
    main.replaceChildren(el('div', {class: 'projects'},
        el('section', {class: 'card'}, el('h2', {}, `${me.name} (${me.login})`), emailForm, el('h3', {}, 'API tokens'), tokens, tokenForm),
        el('section', {class: 'card'}, el('h3', {}, 'SSH keys'), keys, keyForm, el('h3', {}, 'Password'), passwordForm)));

    async function setEmail(event) {
        event.preventDefault();
        try {
            const saved = await api('/api/account/email', {method: 'PUT', body: JSON.stringify({email: emailForm.email.value.trim() || null})});
            me.email = saved.email;
            document.getElementById('email-note').textContent = saved.email ? ` Saved: ${saved.email}.` : ' Forgotten.';
        }
        catch (error) {
            document.getElementById('email-note').textContent = ' ' + error.message;
        }
    }

    async function load() {
        try {
            const [tokenList, keyList] = await Promise.all([api('/api/account/tokens'), api('/api/account/ssh-keys')]);
            tokens.replaceChildren(...tokenList.map(token => el('li', {}, `${token.name} (${token.id}) `,
                token.revokedAt ? el('span', {class: 'muted'}, 'revoked') : el('button', {type: 'button', onclick: () => revoke(token)}, 'Revoke'))));
            keys.replaceChildren(...keyList.map(key => el('li', {}, `${key.title} — ${key.fingerprint} `, el('button', {type: 'button', onclick: () => removeKey(key)}, 'Remove'))));
        }
        catch (error) {
            say(error.message, true);
        }
    }

    async function createToken(event) {
        event.preventDefault();
        try {
            const token = await api('/api/account/tokens', {method: 'POST', body: JSON.stringify({name: tokenForm.name.value.trim()})});
            shown.replaceChildren('Copy it now, it is not shown again: ', el('code', {id: 'token-secret'}, token.token));
            tokenForm.name.value = '';
            load();
        }
        catch (error) {
            shown.textContent = error.message;
        }
    }

    async function revoke(token) {
        if (await confirmAction(`Revoke ${token.name}? What uses it is refused from now on.`, 'Revoke')) {
            await api(`/api/account/tokens/${token.id}`, {method: 'DELETE'}).catch(error => say(error.message, true));
            load();
        }
    }

    async function addKey(event) {
        event.preventDefault();
        const note = document.getElementById('key-note');
        const github = keyForm.github.value.trim();
        try {
            const added = await api('/api/account/ssh-keys', {method: 'POST', body: JSON.stringify(github ? {github} : {key: keyForm.key.value.trim()})});
            note.textContent = ` ${added.length} key(s) added`;
            keyForm.reset();
            load();
        }
        catch (error) {
            note.textContent = ' ' + error.message;
        }
    }

    async function removeKey(key) {
        await api(`/api/account/ssh-keys?fingerprint=${encodeURIComponent(key.fingerprint)}`, {method: 'DELETE'}).catch(error => say(error.message, true));
        load();
    }

    async function changePassword(event) {
        event.preventDefault();
        try {
            // Every token and every other session ended; this one goes on with a new CSRF token.
            me = await api('/api/account/password', {method: 'PUT', body: JSON.stringify({current: passwordForm.current.value, password: passwordForm.password.value})});
            csrf = me.csrfToken;
            passwordForm.reset();
            document.getElementById('password-note').textContent = ' Changed: your API tokens are revoked and your other sessions ended.';
            load();
        }
        catch (error) {
            document.getElementById('password-note').textContent = ' ' + error.message;
        }
    }

    load();
    return {};
}

// -- a project's collaborators and audit log (its admins') ----------------------------------------

function collaboratorsPage(projectId) {
    crumbs.replaceChildren(el('a', {href: '#/'}, 'Projects'), el('span', {}, '›'), el('a', {href: `#/projects/${projectId}`}, projectId),
        el('span', {}, '›'), el('span', {}, 'Collaborators'));
    const list = el('table', {class: 'plain', id: 'collaborators'});
    const audit = el('table', {class: 'plain', id: 'audit'});
    const note = el('span', {class: 'muted', id: 'collaborator-note'});
    const form = el('form', {class: 'stacked', id: 'collaborator-form', onsubmit: add},
        el('label', {for: 'collaborator-login'}, 'Login of the account to add'),
        el('input', {id: 'collaborator-login', name: 'login', required: true}),
        el('label', {for: 'collaborator-role'}, 'Role'),
        el('select', {id: 'collaborator-role', name: 'role'}, ...['DEVELOPER', 'TESTER', 'ADMIN'].map(role => el('option', {value: role}, role.toLowerCase()))),
        el('button', {class: 'primary', type: 'submit'}, 'Add'), note);
    main.replaceChildren(el('div', {class: 'projects'},
        el('section', {class: 'card'}, el('h2', {}, 'Collaborators'), list, form),
        el('section', {class: 'card'}, el('h2', {}, 'Audit log'), audit)));

    async function load() {
        try {
            const [collaborators, events] = await Promise.all([api(`/api/projects/${projectId}/collaborators`), api(`/api/projects/${projectId}/audit?limit=100`)]);
            list.replaceChildren(...collaborators.map(collaborator => el('tr', {},
                el('td', {}, collaborator.login),
                el('td', {}, el('select', {onchange: event => setRole(collaborator.login, event.target.value)},
                    ...['DEVELOPER', 'TESTER', 'ADMIN'].map(role => el('option', {value: role, selected: role === collaborator.role}, role.toLowerCase())))),
                el('td', {}, el('button', {type: 'button', onclick: () => remove(collaborator.login)}, 'Remove')))));
            audit.replaceChildren(...events.map(event => el('tr', {},
                el('td', {class: 'muted'}, when(event.at)), el('td', {}, event.actor), el('td', {}, event.action.toLowerCase().replaceAll('_', ' ')), el('td', {}, event.detail))));
        }
        catch (error) {
            note.textContent = ' ' + error.message;
        }
    }

    async function setRole(login, role) {
        try {
            await api(`/api/projects/${projectId}/collaborators/${encodeURIComponent(login)}`, {method: 'PUT', body: JSON.stringify({role})});
            note.textContent = ` ${login} is now ${role.toLowerCase()}`;
        }
        catch (error) {
            note.textContent = ' ' + error.message;
        }
        load();
    }

    async function add(event) {
        event.preventDefault();
        await setRole(form.login.value.trim(), form.role.value);
        form.reset();
    }

    async function remove(login) {
        if (await confirmAction(`Remove ${login} from ${projectId}?`, 'Remove')) {
            await api(`/api/projects/${projectId}/collaborators/${encodeURIComponent(login)}`, {method: 'DELETE'}).catch(error => say(error.message, true));
            load();
        }
    }

    load();
    return {};
}
