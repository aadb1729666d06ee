// Star Chase: steer your dot with the arrow keys (or WASD) and grab the star before anyone else.
// Movement runs on the game's tick; each grab moves the star and scores a point.
const { Game, GameNode, Colors, Shapes, ShapeUtils } = require('squish-135');

const SPEED = 1.2;
const RADIUS = 2.5;
const KEYS = { ArrowUp: [0, -1], ArrowDown: [0, 1], ArrowLeft: [-1, 0], ArrowRight: [1, 0], w: [0, -1], s: [0, 1], a: [-1, 0], d: [1, 0] };

class StarChase extends Game {
    static metadata() {
        return { squishVersion: '135', name: 'Star Chase', author: 'homegames-rs', description: 'Race your friends to the star with the arrow keys.', tickRate: 30 };
    }

    constructor() {
        super();
        this.players = {};
        this.base = new GameNode.Shape({ shapeType: Shapes.POLYGON, coordinates2d: ShapeUtils.rectangle(0, 0, 100, 100), fill: [12, 18, 40, 255] });
        this.scoreText = new GameNode.Text({ textInfo: { text: 'Grab the star!', x: 50, y: 3, size: 1.6, align: 'center', color: Colors.COLORS.WHITE } });
        this.star = new GameNode.Shape({ shapeType: Shapes.POLYGON, coordinates2d: this.starShape(50, 50), fill: Colors.COLORS.GOLD });
        this.base.addChildren(this.scoreText, this.star);
        this.starAt = { x: 50, y: 50 };
    }

    starShape(x, y) {
        const points = [];
        for (let i = 0; i <= 10; i++) {
            const r = i % 2 === 0 ? 3 : 1.3;
            const a = (Math.PI / 5) * i - Math.PI / 2;
            points.push([x + r * Math.cos(a), y + r * Math.sin(a)]);
        }
        return points;
    }

    handleNewPlayer({ playerId, info }) {
        const x = 10 + Math.random() * 80;
        const y = 10 + Math.random() * 80;
        const dot = new GameNode.Shape({ shapeType: Shapes.CIRCLE, coordinates2d: [x, y, RADIUS], fill: Colors.randomColor(['BLACK', 'GOLD']) });
        this.players[playerId] = { name: (info && info.name) || `player${playerId}`, x, y, held: {}, score: 0, dot };
        this.base.addChild(dot);
        this.renderScores();
    }

    handlePlayerDisconnect(playerId) {
        const p = this.players[playerId];
        if (!p) return;
        this.base.removeChild(p.dot.node.id);
        delete this.players[playerId];
        this.renderScores();
    }

    handleKeyDown(playerId, key) {
        if (this.players[playerId] && KEYS[key]) this.players[playerId].held[key] = true;
    }

    handleKeyUp(playerId, key) {
        if (this.players[playerId]) delete this.players[playerId].held[key];
    }

    tick() {
        let moved = false;
        for (const id of Object.keys(this.players)) {
            const p = this.players[id];
            let dx = 0;
            let dy = 0;
            for (const key of Object.keys(p.held)) {
                dx += KEYS[key][0];
                dy += KEYS[key][1];
            }
            if (!dx && !dy) continue;
            p.x = Math.min(100 - RADIUS, Math.max(RADIUS, p.x + dx * SPEED));
            p.y = Math.min(100 - RADIUS, Math.max(RADIUS + 6, p.y + dy * SPEED));
            p.dot.node.coordinates2d = [p.x, p.y, RADIUS];
            moved = true;
            if (Math.hypot(p.x - this.starAt.x, p.y - this.starAt.y) < RADIUS + 2.5) {
                p.score += 1;
                this.starAt = { x: 8 + Math.random() * 84, y: 14 + Math.random() * 78 };
                this.star.node.coordinates2d = this.starShape(this.starAt.x, this.starAt.y);
                this.renderScores();
            }
        }
        // Property writes do not signal in squish 1.3.5: one signal per tick that changed something.
        if (moved) this.base.node.onStateChange();
    }

    renderScores() {
        const parts = Object.keys(this.players).map((id) => `${this.players[id].name}: ${this.players[id].score}`);
        this.scoreText.node.text = Object.assign({}, this.scoreText.node.text, { text: parts.length ? parts.join('   ') : 'Grab the star!' });
        this.base.node.onStateChange();
    }

    getLayers() {
        return [{ root: this.base }];
    }
}

module.exports = StarChase;
